ALTER TABLE organisations DROP COLUMN oidc;
