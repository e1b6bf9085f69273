"""OAuth 2.0 mailbox connections: providers, the PKCE flow, encrypted grants and fresh tokens."""
