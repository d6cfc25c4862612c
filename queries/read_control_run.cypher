// When the materialised control of a ruleset was last computed, for which day, whether a load skipped it,
// and the generation of its stored answers.
// :param ruleset => 'majority'
MATCH (run:ControlRun {ruleset: $ruleset})
RETURN run.as_of AS as_of, run.computed_at AS computed_at, coalesce(run.stale, false) AS stale,
       coalesce(run.answers_gen, 0) AS answers_gen
