"""Signs that a lead's text tries to steer whoever writes the answer: instructions, role play,
hidden text, requests for others' data or changed payment details, in eight languages.

Pure functions over text. A sign is a flag for the rep, never a reason to drop the mail: the
rep decides, with the flag in view.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.mail.lookalike import registered

LEAD_INSTRUCTS = "lead text tries to instruct the model"
ADDRESS = re.compile(r"[\w.+'-]+@(?:[\w-]+\.)+[\w-]{2,}")


_ZERO_WIDTH = "\u200b\u2060\u180e\ufeff"
_JOINERS = "\u200c\u200d"  # legitimate inside emoji and some scripts; suspicious inside Latin words
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = re.compile(f"[{_ZERO_WIDTH}{_JOINERS}{_BIDI}\U000e0000-\U000e007f]")
_HIDDEN_LATIN_JOINER = re.compile(f"[A-Za-z][{_JOINERS}]+[A-Za-z]")
_CONFUSABLES = str.maketrans("аеорсухіѕјԁɡ", "aeopcyxisjdg")
_LEET = str.maketrans("013457@$", "oieastas")
# A word spelt with digits or symbols for letters ("1gn0re", "@ss1stant"); a number or a hex
# token holds other digits too and is not one.
_LEET_WORD = re.compile(
    r"(?<![\w@$])(?=[\w@$]*[a-z]{2})(?=[\w@$]*[013457@$])[a-z013457@$]{4,}(?![\w@$])"
)

_I = re.IGNORECASE
_INCLUDE = (
    r"include|insert|add|paste|copy|put|append|embed|quote|reproduce|füg|einfüg|übernehm"
    r"|aufnehm|einbau|kopier|inclu|insér|ajout|coll|repren|mett|añad|agreg|incluy|pegu|pega"
    r"|opnem|neem|voeg|plak|includ|inseri|aggiung|incoll|insir|adicion|cole|coloq|inkluder"
    r"|infoga|lägg till|klistra in|ta med"
)
_VERBATIM = (
    r"\bverbatim\b|\bword[- ](?:for|by)[- ]word\b|\bcharacter (?:for|by) character"
    r"|\bexactly as (?:written|given|is|below|above|follows)"
    r"|\bas[- ]is\b|\bunedited\b|\bwithout (?:any )?(?:changes|edits|changing)"
    r"|\b(?:this|the) exact (?:link|url|wording|text|paragraph|sentence|line)"
    r"|\bwörtlich|\bwortwörtlich|\bunverändert|\bmot pour mot|\btextuellement|\btel quel"
    r"|\btelle quelle|\bà l'identique|\btextualmente|\bpalabra por palabra|\btal cual"
    r"|\bletterlijk|\bwoord voor woord|\bongewijzigd|\btestualmente|\bparola per parola"
    r"|\balla lettera|\bliteralmente|\bpalavra por palavra|\bsem alteraç\w+|\bsin cambios"
    r"|\bsans (?:aucune )?modification"
    r"|\bohne (?:jede )?änderung|\bzonder wijziging\w*|\bsenza modifiche|\butan ändringar"
    r"|\bordagrant|\bord för ord"
)
_REPLY = (
    r"(?:your|the) (?:reply|response|answer|draft)|(?:ihrer|deiner|der) (?:antwort|e-?mail)"
    r"|(?:votre|la) réponse|(?:su|tu|la) respuesta|(?:uw|je|het) antwoord|(?:sua|la) risposta"
    r"|(?:sua|a) resposta|(?:ert|ditt) svar"
)
_POSSESSIVE = r"your|vos|votre|sus|tus|ihre|deine|uw|je|le sue|le tue|suas|dina|era"
_WHOLE = (
    r"complete|full|entire|exact|original|initial|hidden|internal|system|underlying"
    r"|vollständigen|kompletten|gesamten|ursprünglichen|internen|versteckten"
    r"|volledige|oorspronkelijke|verborgen|fullständiga|kompletta|ursprungliga|dolda"
)
_RULES = (
    r"instructions?|prompts?|directives|anweisungen|instruktionen|vorgaben|consignes"
    r"|instrucciones|instructies|istruzioni|instruções|instruktioner|anvisningar"
)
_OTHERS = (
    r"(?:the |your |all (?:the |your )?)?other (?:\w+ )?(?:customers?|clients?|distributors?"
    r"|prospects?"
    r"|leads?|buyers?|companies|resellers?|dealers?|vendors?|firms|accounts|bidders)"
)
_ABOUT_OTHERS = (
    r"evaluating|considering|talking to|speaking (?:to|with)|negotiating|in (?:your|the) pipeline"
    r"|looking at|trialing|trialling|piloting|testing|quoted|offered|contract\w*|pricing|prices"
    r"|discounts?|data|details|contacts?|e-?mails?|names|phone\w*|deals?|bids?|you(?:'re| are)"
    r"|signed|price"
)
_OTHERS_ABROAD = (
    r"andere[nrn]? (?:kunden|händler|distributoren|interessenten|firmen|unternehmen)"
    r"|autres (?:clients|distributeurs|prospects|revendeurs|entreprises|sociétés)"
    r"|otros (?:clientes|distribuidores|interesados|revendedores|empresas)"
    r"|andere (?:klanten|distributeurs|prospects|bedrijven|dealers)"
    r"|altri (?:clienti|distributori|rivenditori|aziende)"
    r"|outros (?:clientes|distribuidores|revendedores|empresas)"
    r"|andra (?:kunder|distributörer|återförsäljare|företag)"
)
_ABOUT_ABROAD = (
    r"evaluier\w*|prüfen|verhandel\w*|evalu\w*|négoci\w*|negoci\w*|onderhandel\w*|valutan\w*"
    r"|avaliand\w*|utvärder\w*|förhandl\w*|namen|liste|noms|nombres|nomi|nomes|namn|lista"
    r"|lijst|elenco|daten|données|datos|gegevens|dati|dados|uppgifter|preise|prix|precios"
    r"|prijzen|prezzi|preços|priser|konditionen|tarifs|testent|testen|prueban|testano|testam"
    r"|angebot\w*|offre\w*|oferta\w*|offert\w*"
)
_SIGNALS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, _I | re.MULTILINE))
    for name, pattern in (
        (
            "asks to ignore the instructions",
            # "ignore the shipping instructions" is ordinary mail; "ignore all previous
            # instructions" is not: English needs a word pointing at someone else's rules.
            r"\b(?:ignore|disregard|forget|override|bypass|abandon|skip)\b(?:\s+\w+){0,3}?"
            r"\s+(?:all|any|previous|prior|above|earlier|preceding|your|system|original|initial"
            r"|former|existing|safety)\b(?:\s+\w+){0,3}?\s+"
            r"(?:instructions?|prompts?|rules|directives?|guidelines|guardrails|programming)\b"
            r"|\bforget (?:everything|all) (?:you|that) (?:were|was|have been) told\b"
            r"|\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?(?:above|previous"
            r"|prior"
            r"|preceding|earlier)(?:\s+(?:text|content|context|messages?))?\s*(?:and"
            r"|,)\s+(?:instead\s+)?"
            r"(?:write|say|tell|reply|respond|answer|output|send|add|include|print)\b"
            r"|\b(?:ignorier\w*|vergiss|vergessen sie|missachte\w*)\b[^.\n]{0,50}?"
            r"\b(?:anweisung\w*|instruktion\w*|regeln|vorgaben|befehl\w*)"
            r"|\b(?:ignore[rz]?|oublie[rz]?)\b[^.\n]{0,30}?\b(?:les|vos|ces|toutes)\b[^.\n]{0,20}?"
            r"\b(?:instructions?|consignes?|règles)"
            r"|\b(?:ignora\w*|olvid\w*|omite)\b[^.\n]{0,50}?\b(?:instrucciones|reglas"
            r"|indicaciones)"
            r"|\b(?:ignora\w*|dimentica\w*)\b[^.\n]{0,50}?\b(?:istruzioni|regole)"
            r"|\b(?:ignore|esqueça|esqueca|desconsidere)\b[^.\n]{0,50}?"
            r"\b(?:instruções|instrucoes|regras)"
            r"|\b(?:negeer|vergeet)\b[^.\n]{0,50}?\b(?:instructies|regels|opdrachten)"
            r"|\b(?:ignorera|glöm|ignorer|glem)\b[^.\n]{0,50}?\b(?:instruktion\w*|instruks\w*"
            r"|regler)"
            r"|\b(?:zignoruj|ignoruj|zapomnij)\b[^.\n]{0,50}?(?:instrukcj\w*|polece\w*|zasad\w*)"
            r"|(?:игнорируй|проигнорируй|забудь|не обращай внимания)[^.\n]{0,50}?"
            r"(?:инструкци|правил|указани)"
            r"|(?:talimat|kural)\w*[^.\n]{0,40}?(?:yok say|görmezden gel|unut)"
            r"|(?:忽略|无视|忘记|忽视|無視|忘記)[^。\n]{0,15}?(?:指令|指示|说明|規則|规则|提示)"
            r"|(?:指示|命令|ルール|プロンプト)[^。\n]{0,15}?(?:無視|忘れ)"
            r"|(?:지시|명령|지침|규칙)[^.\n]{0,15}?(?:무시|잊어)"
            r"|تجاهل[^.\n]{0,40}?(?:التعليمات|الأوامر)",
        ),
        (
            "asks for the prompt",
            r"\b(?:reveal|show|print|repeat|output|display|leak|dump|share)\b[^.\n]{0,30}?"
            r"\b(?:system prompt|your prompt|your instructions|the prompt|hidden instructions"
            r"|initial instructions|the text above|everything above)"
            r"|\bsystem ?prompt\b|prompt (?:système|del sistema|do sistema|di sistema|de sistema)"
            r"|systemanweisung|\b(?:instructions|consignes|instrucciones|istruzioni|instruções"
            r"|anweisungen|instructies|instruktioner)\s+(?:de votre|du|de su|del|do seu|da sua"
            r"|ihres"
            r"|des|van uw|van het|i ert|för ert)\s+(?:système|sistema|systems|systeem|system|modèle"
            r"|modelo|modello|assistant|asistente|assistente|assistenten|assistent)",
        ),
        (
            "gives the model a new role",
            r"\byou are now (?:an? )?(?:dan|unrestricted|unfiltered|jailbroken|free of"
            r"|(?:different|new) (?:ai|assistant|model)"
            r"|(?:ai|assistant|model) (?:that|who|which|with))"
            r"|\bfrom now on,? you (?:will|must|are|should)"
            r" (?:ignore|only|always|respond|reply|answer)"
            r"|\bpretend (?:to be|you are|you're)\b|\bdeveloper mode\b|\bjailbreak"
            r"|\bdo anything now\b"
            r"|\b(?:enter|switch to|activate) (?:developer|god|admin|debug|unrestricted|dan) mode\b"
            r"|\bact as (?:an? )?(?:ai|assistant|model|system|admin)",
        ),
        (
            "speaks to the AI",
            r"\b(?:assistant|ai|bot|model|tool|software"
            r"|system)\s+(?:that\s+(?:is\s+)?)?(?:composing"
            r"|writing|drafting|generating|answering|preparing)\s+(?:\S+\s+){0,2}?(?:e-?mails?"
            r"|repl(?:y|ies)|responses?|answers?|messages?)\b|"
            r"\b(?:note|message|instructions?|reminder|memo)\s+(?:for|to)\s+(?:the\s+|your\s+"
            r"|any\s+)?"
            r"(?:e-?mail\s+|writing\s+|drafting\s+|automated\s+)?(?:tool|software|assistant|bot|ai"
            r"|model|llm)\b|"
            r"\b(?:dear|hi|hello|hey|hallo|liebe[rs]?|sehr geehrte[rs]?|bonjour|cher|chère|hola"
            r"|querid[oa]|estimad[oa]|hoi|beste|ciao|car[oa]|gentile|olá|oi|hej|kära)\s+(?:the\s+)?"
            r"(?:ai|ki|ia|llm|assistant|assistent|asistente|assistente|bot|chatbot|model|modelo"
            r"|modèle|modello|modell)\b(?![-'’]?\w)"
            r"|\b(?:software|tool|system|program|bot|ai|assistant|model)\s+(?:that|which)\s+"
            r"(?:drafts?|writes?|generates?|composes?|answers?)\s+(?:\S+\s+){0,2}?"
            r"(?:e-?mails?|replies|responses|answers|messages)\b|"
            r"(?:^|[\n.!?]\s*)(?:assistant|model|ai|bot|llm|chatbot)\s*[,:]\s*(?:before|when|please"
            r"|you|ignore|tell|add|include|write|do|make|remember|note|always|never|from now)\b"
            r"|\b(?:whatever|whichever|any|the)\s+(?:software|tool|system|program|bot|ai|assistant"
            r"|model)\s+(?:that\s+|which\s+)?(?:drafts?|writes?|generates?|composes?|answers?)\b"
            r"[^.\n]{0,10}\b(?:your|the|these)\s+(?:e-?mails?|replies|responses|answers|messages)|"
            r"\b(?:dear|hey|hi|hello|attention|note to|message (?:for|to)|instructions? (?:for|to))"
            r"\s+(?:the\s+)?(?:ai|llm|language model|chatbot|bot|chatgpt|gpt|model"
            r"|(?:ai|email|writing|virtual|automated) assistant)\b(?![-'’]\w)"
            r"|\bif you(?:'re| are) an? (?:ai|llm|language model|bot|chatbot|assistant|model)\b"
            r"|\b(?:ai|llm|bot|model|assistant)s? (?:reading|processing) this\b"
            r"|\b(?:the|your) (?:ai|bot|assistant|model) (?:that|which|who)"
            r" (?:writes|drafts|answers)"
            r"|\b(?:liebe|lieber|hallo|an die) (?:ki|ki-assistent\w*)\b"
            r"|\bchère ia\b|\bcher assistant\b"
            r"|\b(?:querida|querido|estimad[ao]|hola) (?:ia|asistente)\b|\b(?:cara|caro) ia\b"
            r"|дорогой (?:ии|ассистент|бот)|亲爱的(?:ai|人工智能|助手)|aiアシスタント"
            r"|(?:^|[\n.!?>*\[(]\s*)(?:ai|ki|ia|llm|email|e-mail|virtual|automated|writing)"
            r"[- ](?:assistant|assistent|asistente|assistente|system|agent|model)\w*\s*[:,]"
            r"|\b(?:ai|llm|gpt|automated|bot)\s+(?:tools?|systems?|assistants?|agents?|models?"
            r"|readers?)\s+(?:summari[sz]ing|reading|processing|handling|drafting|writing"
            r"|answering)"
            r"|\b(?:asistente|assistente|assistant|assistent)\s+(?:de\s+|d')?(?:ia|ai|ki)\b\s*[:,]"
            r"|\b(?:para la|à l'|an die|aan de|per l'|till|to the|for the)\s*(?:ia|ki|ai|llm)\s*:"
            r"|\b(?:any|all)? ?automated (?:systems?|assistants?|agents?|tools?|readers?)"
            r" (?:reading|processing|handling|that (?:read|process|handle))"
            r"|\bto (?:any|the|all) automated (?:systems?|assistants?|agents?|readers?)"
            r"|\bif (?:this|you) (?:is|are) (?:being )?(?:read|processed|summari[sz]ed)"
            r" by (?:an? )?(?:ai|bot|automated|machine|model|llm)"
            r"|\b(?:hinweis|nachricht|anweisung)\w* (?:an|für) (?:die |den |das )?"
            r"(?:ki\b|ki-\w+|sprachmodell|automatisierte)"
            r"|\b(?:note|message|consigne)s? (?:à|pour) (?:l'|l’|le )?(?:ia\b|intelligence"
            r" artificielle|assistant|modèle|système automatisé)"
            r"|\bà l'attention de l'(?:ia|assistant)"
            r"|\b(?:nota|mensaje|instrucci\w+) (?:para|a) (?:la |el )?(?:ia\b|asistente|modelo"
            r"|sistema automatizado)"
            r"|\b(?:notitie|bericht|instructie) (?:voor|aan) (?:de |het )?(?:ai\b|ai-assistent"
            r"|assistent|model|taalmodel)"
            r"|\b(?:nota|messaggio|istruzion\w) per (?:l'|l’|il )?(?:ia\b|assistente|modello"
            r"|sistema automatico)"
            r"|\b(?:nota|mensagem|instruç\w+) para (?:a |o )?(?:ia\b|assistente|modelo"
            r"|sistema automatizado)"
            r"|\b(?:notering|meddelande|instruktion) (?:till|för) (?:ai\b|ai-\w+|assistenten"
            r"|modellen|språkmodellen)",
        ),
        (
            "claims to bring new instructions",
            r"\b(?:new|updated|revised|important|urgent|priority|hidden|secret|additional|real)"
            r"\s+(?:instructions?|directives?)\s*:|\bsystem (?:message|override|instructions?|note"
            r"|notice)\s*:"
            r"|(?:^|[\[\-=*#(])\s*(?:end of|begin|start of) (?:the )?"
            r"(?:email|message|user input|lead message|prompt)\s*(?:[\]\-=*#):]|$)"
            r"|\bneue anweisung|\bnouvelles instructions\b|\bnuevas instrucciones\b"
            r"|\bnuove istruzioni\b|\bnovas instruções\b|\bnieuwe instructies\b"
            r"|新的指令|新しい指示",
        ),
        (
            "dictates the draft",
            r"\b(?:respond|reply|answer) only with\b|\boutput only\b|\b(?:say|write) exactly\b"
            r"|\b(?:in|at the (?:end|start) of) your (?:draft|output|generated \w+),?\s+"
            r"(?:include|add|insert|put|write|say|mention|append|state)\b"
            r"|\b(?:include|add|insert|append|embed)\b[^.\n]{0,30}?"
            r"\b(?:this|the following|following)\s+(?:link|url|hyperlink)"
            r"|\b(?:your|the) (?:reply|response|answer|draft|next e-?mail)\s+(?:must|should"
            r"|needs to"
            r"|has to|shall)\s+(?:include|contain|mention|say|state|quote|start|end|link)"
            r"|\b(?:make sure|ensure) (?:that )?(?:your|the) (?:reply|response|answer|draft"
            r"|e-?mail)"
            r" (?:contains|includes|mentions|links|says|quotes)",
        ),
        (
            "fake role or delimiter tag",
            r"<\s*/?\s*(?:system|assistant|human|instructions?|prompt|lead_message|rep_message"
            r"|thread"
            r"|lead_profile|chosen_content|content_library|rep_instruction|admin|developer)\b[^>]*>"
            r"|\[/?(?:inst|sys|system|admin)\]|<<\s*sys\s*>>|<\|[a-z_]+\|>"
            r"|^[\s>]*(?:system|assistant|human|developer)\s*:"
            r"|^#{2,}\s*(?:system|(?:new )?instructions?)\b",
        ),
        (
            "hidden text",
            r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em)?\b"
            r"|opacity\s*:\s*0(?:\.0+)?\b|color\s*:\s*(?:#fff(?:fff)?\b|white\b|transparent\b)"
            r"|mso-hide\s*:\s*all|<!--",
        ),
        (
            "asks to include text verbatim",
            rf"\b(?:{_INCLUDE})\w*\b[^.\n]{{0,80}}?(?:{_VERBATIM})"
            rf"|(?:{_VERBATIM})[^.\n]{{0,80}}?\b(?:{_INCLUDE})\w*"
            r"|\b(?:quote|reproduce|repeat|paste)\b[^.\n]{0,60}?\bin full\b"
            rf"|\b(?:{_INCLUDE})\w*\s+(?:this|the following|that|these)\s+(?:exact\s+)?"
            r"(?:paragraph|sentence|text|line|wording|link|url|words)\s+(?:exactly|precisely"
            r"|literally)"
            rf"|(?:{_VERBATIM})[^.\n]{{0,80}}?\b(?:{_REPLY})\b"
            rf"|\b(?:{_REPLY})\b[^.\n]{{0,80}}?(?:{_VERBATIM})"
            r"|\b(?:this|the following|following|the below)\s+(?:exact\s+)?"
            r"(?:link|url|paragraph|sentence|text|wording|line|disclaimer)\b[^.\n]{0,40}?"
            r"\b(?:in|into|to|at the (?:end|top|start) of)\s+(?:your|the|every|each)\s+"
            r"(?:reply|response|answer|draft|e-?mail|message|mail)"
            r"|\b(?:diese[nrs]?|folgende[nrs]?)\s+(?:link|absatz|text|satz)\b[^.\n]{0,60}?"
            r"\b(?:antwort|e-?mail|nachricht)"
            r"|\b(?:ce lien|ce paragraphe|ce texte|cette phrase|le lien suivant|le texte suivant)"
            r"[^.\n]{0,60}?\b(?:réponse|e-?mail|courriel|message)"
            r"|\b(?:este enlace|este párrafo|este texto|esta frase|el siguiente enlace)"
            r"[^.\n]{0,60}?\b(?:respuesta|correo|mensaje)"
            r"|\b(?:deze link|deze alinea|deze tekst|de volgende link)[^.\n]{0,60}?"
            r"\b(?:antwoord|e-?mail|bericht)"
            r"|\b(?:questo link|questo paragrafo|questo testo|il seguente link)[^.\n]{0,60}?"
            r"\b(?:risposta|e-?mail|messaggio)"
            r"|\b(?:este link|este parágrafo|este texto|o seguinte link)[^.\n]{0,60}?"
            r"\b(?:resposta|e-?mail|mensagem)"
            r"|\b(?:denna länk|den här länken|detta stycke|följande länk)[^.\n]{0,60}?"
            r"\b(?:svar|e-?post|mejl|meddelande)",
        ),
        (
            "asks for the instructions",
            rf"\b(?:{_POSSESSIVE})\s+(?:\w+\s+)?(?:{_WHOLE})\s+(?:{_RULES})"
            rf"|\b(?:{_RULES})\s+(?:{_WHOLE})\b"
            r"|\b(?:paste|repeat|print|dump|copy|list|write out|recite|spell out|tell me)\b"
            r"[^.\n]{0,20}?\byour (?:\w+ )?instructions\b"
            r"|\b(?:instructions|rules|guidelines|prompt)\s+(?:that\s+)?you(?:'ve| have| were)?"
            r"\s+(?:been\s+)?(?:given|told|programmed|configured|instructed|operating under)"
            r"|\bwhat (?:were|have) you been (?:told|instructed|programmed)"
            r"|\b(?:istruzioni|instructions|consignes|instrucciones|instruções|anweisungen"
            r"|instructies"
            r"|instruktioner)\b[^.\n]{0,10}?\b(?:che hai ricevuto|che ha ricevuto"
            r"|que vous avez reçues"
            r"|que tu as reçues|que recibió|que recibiste|que le dieron|que recebeu"
            r"|die sie erhalten haben|die du erhalten hast|die u hebt gekregen|die je hebt gekregen"
            r"|som (?:du|ni) (?:har )?fått)"
            r"|\b(?:print|paste|repeat|reveal|output|dump|recite)\b[^.\n]{0,40}?\b(?:guidelines"
            r"|instructions|rules|prompt)\s+(?:that\s+)?you\s+(?:follow|use|were given"
            r"|operate under)"
            r"|\b(?:what|which) (?:instructions|rules|guidelines|prompt)\b[^.?\n]{0,20}\byou\b"
            r"[^.?\n]{0,15}\b(?:given|told|programmed|received|operating under)"
            r"|\b(?:anweisungen|vorgaben),? die (?:sie|du) (?:erhalten|bekommen)"
            r"|\b(?:instructions|consignes) (?:que vous avez reçues|qu'on vous a donn\w+)"
            r"|\b(?:instrucciones|reglas) que (?:le|te) (?:dieron|han dado)",
        ),
        (
            "asks for other customers' data or internal notes",
            rf"\b(?:list|name|share|tell|send|give|show|forward|provide|who are|which|what)\b"
            rf"[^.\n]{{0,40}}?\b(?:{_OTHERS})\b[^.\n]{{0,50}}?\b(?:{_ABOUT_OTHERS})"
            rf"|\b(?:{_OTHERS_ABROAD})\b[^.\n]{{0,60}}?\b(?:{_ABOUT_ABROAD})"
            rf"|\b(?:{_ABOUT_ABROAD})\b[^.\n]{{0,40}}?\b(?:{_OTHERS_ABROAD})\b"
            r"|\b(?:which|what|who)\b[^.\n]{0,30}?\b(?:companies|customers|clients|distributors"
            r"|firms"
            r"|prospects)\s+(?:besides|other than|apart from|except)\s+(?:us|ours)\b"
            r"|\b(?:internal|private|confidential|crm|sales|account|deal)\s+notes\b"
            r"|\b(?:list|names?)\s+of\s+(?:the\s+)?(?:other\s+)?(?:leads|accounts|prospects"
            r"|customers"
            r"|clients|companies|distributors)\s+(?:that\s+|whom\s+)?you(?:'re"
            r"| are)\s+(?:currently\s+)?"
            r"(?:working with|talking to|speaking (?:to|with)|negotiating with|in talks with"
            r"|pitching)"
            r"|\b(?:list|lista|liste|lijst|elenco|names?|nombres|noms|namen|nomi|nomes|namn)\s+"
            r"(?:\w+\s+){0,3}?(?:distribu\w+|customers?|clients?|clientes|kunden|klanten|clienti"
            r"|kunder|prospects?|händler\w*|dealers?|revendedores|rivenditori|återförsäljare)\b"
            r"[^.\n]{0,40}?\b(?:evaluat\w*|evalúan|evaluando|évalu\w*|evalu\w*|prüf\w*|testen"
            r"|testing|testent|valutan\w*|avaliand\w*|utvärder\w*|consider\w*)"
            r"|\bwho else (?:are you|is your team) (?:talking|speaking|working|in talks"
            r"|negotiating)"
            r"|\b(?:names?|list) of (?:the )?(?:other )?(?:companies|customers|clients|prospects"
            r"|distributors|buyers) (?:in your pipeline|you(?:'re| are) (?:talking|speaking"
            r"|negotiating)"
            r"|evaluating)"
            r"|\b(?:crm|internal) (?:record|entry|file|data|profile) (?:on|about|for) (?:us|me|our)"
            r"|\bnotes (?:you|your team|your colleagues) (?:keep|have|made|wrote|took)"
            r" (?:on|about) (?:us|me|our)"
            r"|\bwhat (?:your|the) (?:team|colleagues?|manager|rep|crm) (?:wrote|said|noted|has)"
            r" about (?:us|me|our)"
            r"|\binterne[nrn]? (?:notizen|vermerke)|\b(?:crm|vertriebs)-?notizen"
            r"|\bnotes internes\b|\bnotas internas\b|\binterne (?:notities|aantekeningen)\b"
            r"|\bnote interne\b|\binterna anteckningar\b",
        ),
        (
            "changes payment details",
            r"\b(?:new|updated|changed|different|revised)\s+(?:bank(?:ing)?\s+(?:details|account"
            r"|information|info|coordinates)|payment\s+(?:details|information|instructions)"
            r"|remittance\s+(?:details|information|instructions)|wire\s+(?:details|instructions)"
            r"|iban|swift(?: code)?|beneficiary(?: account| details)?)"
            r"|\b(?:bank(?:ing)? details|bank account|iban|payment details|remittance details)\b"
            r"[^.\n]{0,40}?\b(?:ha(?:s|ve) (?:been )?changed|will change|are changing"
            r"|is changing|ha(?:s|ve) been updated)"
            r"|\b(?:update|change)\b[^.\n]{0,30}?\b(?:bank(?:ing)? details|bank account|iban"
            r"|payment details|remittance details|beneficiary)"
            r"|\b(?:pay|remit|wire|transfer)\b[^.\n]{0,40}?\bto (?:our|the|this) new"
            r" (?:account|iban|bank)"
            r"|\b(?:remit|send|make|direct|wire)\s+(?:all\s+)?(?:future|further|upcoming"
            r"|outstanding)?"
            r"\s*payments?\s+to\s+(?:the|our|this|a)\s+(?:new|following|updated|different)"
            r"|\b(?:changed|switched|moved)\s+(?:our\s+)?banks?\b"
            r"|\b(?:changed|updated|switched)\s+(?:our|the)\s+(?:remittance|bank|payment|receiving"
            r"|beneficiary)\s+(?:account|details|information|bank)"
            r"|\b(?:bank(?:ing)? details|bank account|iban|payment details|remittance details"
            r"|account details|wire details)\b[^.\n]{0,30}?\b(?:were|have been|has been|got)\s+"
            r"(?:changed|updated|replaced)"
            r"|\b(?:moved|switched|changed) to (?:a )?(?:new|different|another) bank\b"
            r"|\bbank(?:ing)? (?:partner"
            r"|provider)"
            r" (?:has )?changed"
            r"|\b(?:bank|hausbank) gewechselt|\bchangé de banque|\bcambiado de banco"
            r"|\bvan bank (?:veranderd|gewisseld)|\bcambiato banca|\bmudamos de banco|\bbytt bank"
            r"|\bneue[nrs]? (?:bankverbindung|kontoverbindung|iban|kontonummer|bankdaten"
            r"|zahlungsdaten)|\b(?:bankverbindung|kontoverbindung|iban|bankdaten)\b[^.\n]{0,40}?"
            r"\b(?:geändert|ändert|aktualisiert|gewechselt)"
            r"|\bnouve(?:au|l|lles?|aux) (?:rib|iban|coordonnées bancaires|compte bancaire"
            r"|données bancaires)|\bchangement de (?:rib|coordonnées bancaires|compte bancaire)"
            r"|\b(?:coordonnées bancaires|rib|iban)\b[^.\n]{0,40}?\b(?:ont changé|a changé"
            r"|changent|modifié\w*)"
            r"|\bnuev[oa]s? (?:datos bancarios|cuenta bancaria|iban|número de cuenta)"
            r"|\bcambio de (?:cuenta bancaria|datos bancarios|banco|iban)"
            r"|\b(?:datos bancarios|cuenta bancaria|iban)\b[^.\n]{0,40}?\b(?:ha cambiado"
            r"|han cambiado|actualizad\w*)"
            r"|\bnieuwe? (?:bankgegevens|rekeningnummer|iban|bankrekening)"
            r"|\b(?:bankgegevens|rekeningnummer)\b[^.\n]{0,40}?\b(?:gewijzigd|veranderd)"
            r"|\bnuov[oie] (?:coordinate bancarie|iban|conto corrente|dati bancari)"
            r"|\b(?:coordinate bancarie|conto corrente)\b[^.\n]{0,40}?\b(?:cambiat\w*"
            r"|modificat\w*|aggiornat\w*)"
            r"|\bnov[oa]s? (?:dados bancários|conta bancária|iban|nib)"
            r"|\b(?:dados bancários|conta bancária)\b[^.\n]{0,40}?\b(?:mud\w*|alterad\w*)"
            r"|\bny(?:a|tt)? (?:bankuppgifter|kontonummer|bankkonto|iban|bankgiro\w*)"
            r"|\b(?:iban|bankgiro|bank account|bank details|account number|sort code|routing number"
            r"|swift|bic|rib)\b[^.\n]{0,20}?\b(?:changed|geändert|changé|cambiado|gewijzigd"
            r"|cambiato"
            r"|mudou|alterado|ändrats|ändrat)"
            r"|\b(?:bankuppgifter|kontonummer|bankgiro\w*)\b[^.\n]{0,40}?\b(?:ändrat\w*"
            r"|ändrats|uppdaterat\w*)",
        ),
        (
            "asks to decode hidden text",
            r"\b(?:decode|base64)\b[^.\n]{0,30}?\b(?:follow|execute|obey)",
        ),
    )
)
_SEND_VERB = re.compile(
    r"\b(?:send|forward|cc|bcc|copy|reply|respond|write|deliver|redirect|route|add|include|loop in"
    r"|e-?mail (?:it|this|that|them|a copy|everything)"
    r"|sende\w*|schick\w*|weiterleit\w*|leite\w*|envo\w*|transf[eé]r\w*|transmet\w*|envi\w*"
    r"|reenv\w*"
    r"|invia\w*|inoltr\w*|encaminh\w*|stuur\w*|doorsturen|skicka\w*|vidarebefordra|wyślij|prześlij"
    r"|отправ\w*|перешл\w*)\b[^.\n]{0,50}$"
    r"|(?:发送|转发|送信|転送|보내)[^。\n]{0,20}$",
    _I,
)
_COMPACT = (
    "ignoreallpreviousinstructions",
    "ignorepreviousinstructions",
    "ignoreallinstructions",
    "ignoreyourinstructions",
    "ignoretheaboveinstructions",
    "disregardpreviousinstructions",
    "disregardallpreviousinstructions",
    "forgetallpreviousinstructions",
    "forgetyourinstructions",
    "revealyoursystemprompt",
)


def injection_signals(lead_text: str, colleagues: str = "") -> list[str]:
    """What in this lead text looks like an attempt to steer the model; empty when nothing does.

    Asking to write to an address at `colleagues` (the lead's own domain) is a referral.
    """
    return list(
        dict.fromkeys(
            f"{kind} ('{shown}')" if shown else kind for kind, shown in signs(lead_text, colleagues)
        )
    )


def signs(lead_text: str, colleagues: str = "") -> list[tuple[str, str]]:
    """Each sign of steering in this text as (kind, the words that show it; "" for characters)."""
    found: list[tuple[str, str]] = []
    if re.search(f"[{_ZERO_WIDTH}]", lead_text.lstrip("\ufeff")) or _HIDDEN_LATIN_JOINER.search(
        lead_text
    ):
        found.append(("zero-width characters", ""))
    if re.search(f"[{_BIDI}]", lead_text):
        found.append(("bidirectional control characters", ""))
    smuggled = "".join(
        chr(ord(char) - 0xE0000) for char in lead_text if 0xE0020 <= ord(char) <= 0xE007E
    )
    if smuggled:
        found.append(("invisible tag characters", " ".join(smuggled.split())[:60]))

    plain = unicodedata.normalize("NFKC", INVISIBLE.sub("", lead_text)).replace("\xad", "")
    plain = f"{plain}\n{smuggled}" if smuggled else plain
    lowered = plain.lower()
    # Every pattern ignores case, so the lowered text stands for the text as written.
    folded = lowered.translate(_CONFUSABLES)
    # Only lines with a digit or symbol inside a word can hide a word in leetspeak.
    leet = "\n".join(line for line in folded.split("\n") if _LEET_WORD.search(line))
    variants = dict.fromkeys((folded, leet.translate(_LEET)) if leet else (folded,))
    for name, pattern in _SIGNALS:
        match = next((m for text in variants if (m := pattern.search(text))), None)
        if match:
            # The words as the lead wrote them, where lowering kept every position.
            words = plain[match.start() : match.end()] if len(plain) == len(lowered) else match[0]
            found.append((name, " ".join(words.split())[:60]))
    compact = re.sub(r"[^a-z]", "", lowered.translate(_CONFUSABLES).translate(_LEET))
    if not any(kind.startswith("asks to ignore") for kind, _ in found) and any(
        phrase in compact for phrase in _COMPACT
    ):
        found.append(("asks to ignore the instructions (disguised)", ""))

    for match in ADDRESS.finditer(plain):
        if colleagues and registered(match[0].rpartition("@")[2]) == registered(colleagues):
            continue
        if _SEND_VERB.search(plain[max(0, match.start() - 60) : match.start()]):
            found.append(("asks to send to another address", match.group(0)))
    return found
