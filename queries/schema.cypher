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
