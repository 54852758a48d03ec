-- A letter is a record of one moment: the facts it states (dates, the rule that sets the
-- due date, whether the clock stopped, how the client gets a status code) are taken, as
-- JSON, in the transaction of the action that calls for the letter. A queued job carries
-- them to the worker; a stored letter keeps them, so writing it again states the same facts.
-- NULL (jobs queued before this, letters stored before this): the request as it is.
-- Keep in step with the other backend's migration of the same name.
ALTER TABLE letter_jobs ADD COLUMN snapshot TEXT;
ALTER TABLE documents ADD COLUMN snapshot TEXT;
