"""Every Cypher statement the code runs, as .cypher files, and the one module that calls the driver."""
