// Record when the materialised control of a ruleset was last computed, and for which date (and that it is whole).
// :param ruleset => 'majority'
// :param as_of => date()
MERGE (run:ControlRun {ruleset: $ruleset})
SET run.as_of = $as_of, run.computed_at = datetime(), run.stale = null
