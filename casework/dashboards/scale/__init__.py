"""The city at scale: `seed()` fills a PostgreSQL database with deterministic city-size data
(`seed_scale`, and every benchmark's throwaway database); the other modules measure it."""
