// When the materialised control of a ruleset was last computed, for which day, and whether a load skipped it.
// :param ruleset => 'majority'
MATCH (run:ControlRun {ruleset: $ruleset})
RETURN run.as_of AS as_of, run.computed_at AS computed_at, coalesce(run.stale, false) AS stale
