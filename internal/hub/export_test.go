package hub

// MaxJobs is how many posted jobs may wait for a pump before Post waits.
const MaxJobs = maxJobs
