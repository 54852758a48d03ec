-- Strong electronic identification: the organisation's OpenID Connect provider (JSON).
ALTER TABLE organisations ADD COLUMN oidc TEXT;
