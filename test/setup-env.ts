// Lambda handlers under test print EMF metrics and warnings to stdout; keep test output readable.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
