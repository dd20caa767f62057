// Runs s3rver (the @20minutes/s3rver fork: unlike s3rver 3.x, which only
// looks up the access key id, it checks Signature V4 signatures) on
// ADDRESS:PORT with data in DIR and one bucket.
//   node integrity-s3rver.js NODE_MODULES_DIR DIR ADDRESS PORT BUCKET
'use strict';
const [modules, directory, address, port, bucket] = process.argv.slice(2);
const S3rver = require(require.resolve('@20minutes/s3rver', { paths: [modules] }));
new S3rver({
  directory,
  address,
  port: Number(port),
  silent: true,
  allowMismatchedSignatures: false,
  configureBuckets: [{ name: bucket, configs: [] }],
})
  .run()
  .then((a) => console.error(`s3rver listening on ${a.address}:${a.port}`))
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
