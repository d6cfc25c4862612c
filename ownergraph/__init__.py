"""ownergraph: who really controls this company?

The package root is the application layer: the service that combines the
repository, the engine and the loaders, the load pipeline with its
materialisation, the CLI and the demo. The layers below it are subpackages
mapped from the repository's top-level folders (see the README's layout):
``ownergraph.graph`` (pure model and algorithms) <- ``ownergraph.queries``
(Cypher and the repository) <- ``ownergraph.loaders`` (parsers, validation)
<- ``ownergraph`` (this layer) <- ``ownergraph.api`` (HTTP).
"""
