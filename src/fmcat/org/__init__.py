"""Several services in one place: a monorepo's services, their shared dependencies, the blast
radius of each dependency, and the exports to Backstage and other tools (docs/org.md)."""
