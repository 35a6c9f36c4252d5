/**
 * Imported first by the entry point: on an unsupported Node.js the dependencies fail with
 * unrelated errors deep inside their own code, so say plainly what to install instead.
 */
const SUPPORTED_MAJORS = [22, 24];
const major = Number(process.versions.node.split('.')[0]);
if (major < Math.min(...SUPPORTED_MAJORS)) {
  console.error(
    `Cannot start the bot: Node.js ${process.version} is not supported; use Node.js ${SUPPORTED_MAJORS.join(' or ')} LTS ` +
      '(README, "Supported runtimes": for example `npm exec --yes --package=node@24 -- node --version`).',
  );
  process.exit(1);
}
