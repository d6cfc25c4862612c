"""The local Neo4j Community server: install from Maven Central, start, stop, import."""
