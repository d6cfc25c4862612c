// Constraints and indexes the loaders MERGE on; applied idempotently at start-up.
// Run as-is in the Neo4j Browser (each statement is IF NOT EXISTS).
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE;
CREATE INDEX entity_uscc IF NOT EXISTS FOR (e:Entity) ON (e.uscc);
CREATE INDEX entity_lei IF NOT EXISTS FOR (e:Entity) ON (e.lei);
CREATE INDEX entity_founded IF NOT EXISTS FOR (e:Entity) ON (e.founded);
CREATE INDEX entity_kind IF NOT EXISTS FOR (e:Entity) ON (e.kind);
CREATE INDEX owns_key IF NOT EXISTS FOR ()-[r:OWNS]-() ON (r.key);
CREATE INDEX controls_key IF NOT EXISTS FOR ()-[r:CONTROLS]-() ON (r.key);
CREATE CONSTRAINT load_id IF NOT EXISTS FOR (l:Load) REQUIRE l.id IS UNIQUE;
CREATE CONSTRAINT control_run_ruleset IF NOT EXISTS FOR (r:ControlRun) REQUIRE r.ruleset IS UNIQUE;
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (e:Entity) ON EACH [e.name, e.name_en, e.aliases_text, e.id, e.uscc, e.lei] OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}};
CREATE INDEX concert_key IF NOT EXISTS FOR ()-[r:ACTS_IN_CONCERT]-() ON (r.key);
CREATE INDEX owns_loaded_from IF NOT EXISTS FOR ()-[r:OWNS]-() ON (r.loaded_from);
CREATE INDEX controls_loaded_from IF NOT EXISTS FOR ()-[r:CONTROLS]-() ON (r.loaded_from);
CREATE INDEX concert_loaded_from IF NOT EXISTS FOR ()-[r:ACTS_IN_CONCERT]-() ON (r.loaded_from);
CREATE INDEX owns_start IF NOT EXISTS FOR ()-[r:OWNS]-() ON (r.start);
CREATE INDEX owns_end IF NOT EXISTS FOR ()-[r:OWNS]-() ON (r.end);
CREATE INDEX controls_start IF NOT EXISTS FOR ()-[r:CONTROLS]-() ON (r.start);
CREATE INDEX controls_end IF NOT EXISTS FOR ()-[r:CONTROLS]-() ON (r.end);
CREATE INDEX concert_start IF NOT EXISTS FOR ()-[r:ACTS_IN_CONCERT]-() ON (r.start);
CREATE INDEX concert_end IF NOT EXISTS FOR ()-[r:ACTS_IN_CONCERT]-() ON (r.end);
CREATE CONSTRAINT control_change_seq IF NOT EXISTS FOR (c:ControlChange) REQUIRE c.seq IS UNIQUE;
CREATE INDEX control_change_computed_at IF NOT EXISTS FOR (c:ControlChange) ON (c.computed_at);
CREATE CONSTRAINT change_sequence_name IF NOT EXISTS FOR (s:ChangeSequence) REQUIRE s.name IS UNIQUE;
CREATE CONSTRAINT watchlist_name IF NOT EXISTS FOR (w:Watchlist) REQUIRE w.name IS UNIQUE;
CREATE CONSTRAINT load_lock_name IF NOT EXISTS FOR (l:LoadLock) REQUIRE l.name IS UNIQUE;
CREATE INDEX involves_ckey IF NOT EXISTS FOR ()-[i:INVOLVES]-() ON (i.ckey);
CREATE CONSTRAINT stored_answer_entity IF NOT EXISTS FOR (a:StoredAnswer) REQUIRE a.entity_id IS UNIQUE;
