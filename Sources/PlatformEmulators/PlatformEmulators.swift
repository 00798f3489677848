// Loopback emulators of the Vercel REST, Railway GraphQL and RunPod APIs (filled by the Deployers and worker issues).
