-- The organisation's default language: the staff desk speaks it to a user who has not
-- chosen a language of their own. Finnish unless the admin chooses otherwise.
-- Keep in step with the other backend's migration of the same name.
ALTER TABLE organisations ADD COLUMN default_language TEXT NOT NULL DEFAULT 'fi'
    CHECK (default_language IN ('fi', 'sv', 'en'));
