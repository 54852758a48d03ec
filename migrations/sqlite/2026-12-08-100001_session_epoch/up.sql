-- Access tokens carry the epoch of their user's sessions when they were issued; a token of
-- an older epoch is refused. A password reset (and a deactivation) moves the epoch on, so
-- every session of the user ends at once. 0 for existing users, whose tokens carry none.
-- Keep in step with the other backend's migration of the same name.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
