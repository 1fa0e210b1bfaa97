// portcullis is installed as "file:../../.." (a symlink to the repository root), so its files live
// outside this app's directory: both roots must be the repository root, or Turbopack refuses to
// resolve them and file tracing misses them.
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** @type {import('next').NextConfig} */
const nextConfig = {
  outputFileTracingRoot: repositoryRoot,
  turbopack: { root: repositoryRoot },
};

export default nextConfig;
