'use strict'
// scripts/prepack.js - run by `npm pack` / `npm publish`: copies the SDK's headers from the repository
// root into native/include (so that `npm install <tarball>` builds with the C compiler alone, offline)
// and refuses to pack when package.json's version is not the headers' DDTRACE_VERSION_STRING.
const fs = require('fs')
const path = require('path')

const root = path.join(__dirname, '..')
const repo = path.join(root, '..', '..')
const HEADERS = ['dd_msgpack.h', 'dd_propagation.h', 'dd_trace.h', 'dd_lambda.h', 'dd_sender.h']

const inc = path.join(root, 'native', 'include')
fs.mkdirSync(inc, { recursive: true })
for (const h of HEADERS) fs.copyFileSync(path.join(repo, h), path.join(inc, h))
fs.copyFileSync(path.join(repo, 'LICENSE'), path.join(root, 'LICENSE'))
const m = /#define DDTRACE_VERSION_STRING "([^"]+)"/.exec(fs.readFileSync(path.join(inc, 'dd_trace.h'), 'utf8'))
const version = require('../package.json').version
if (!m || m[1] !== version) {
  console.error(`dd-trace-c: package.json version ${version} is not the headers' DDTRACE_VERSION_STRING ${m && m[1]}`)
  process.exit(1)
}
console.log(`dd-trace-c: headers ${version} copied into native/include`)
