-- How a public authority's decisions are challenged (`domain::appeal::AppealSettings` as
-- JSON): request for review (oikaisuvaatimus) or appeal to the administrative court
-- (valitus), the review body, the competent court, the contact person named on decisions.
-- NULL: the defaults (request for review to the organisation itself; the decider is the
-- contact person). Keep in step with the other backend's migration of the same name.
ALTER TABLE organisations ADD COLUMN appeal TEXT;
