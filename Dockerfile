# The daemon with the approval app, installed from the wheel.
#   docker build -t nurture .
#   docker run -p 8080:8080 -v /etc/nurture:/etc/nurture:ro -e NURTURE_SECRET_KEY=... nurture
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY assistant ./assistant
COPY prompts ./prompts
COPY templates ./templates
COPY data ./data
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM python:3.11-slim
COPY --from=wheel /dist /dist
RUN pip install --no-cache-dir /dist/nurture-*.whl && rm -r /dist \
    && useradd --system --home-dir /var/lib/nurture --create-home nurture
USER nurture
WORKDIR /var/lib/nurture
ENV NURTURE_CONFIG=/etc/nurture/nurture.toml
EXPOSE 8080
CMD ["nurture", "run", "--web"]
