'use strict'
// test/helpers.js - the capture agent (test/agent.py, a separate process: a flush blocks this
// thread, so an agent on this event loop could never answer) and waiting for what it recorded.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { spawn, spawnSync } = require('child_process')

const PY = process.env.DD_TEST_PYTHON || '/usr/bin/python3'

function sleep (ms) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) }

async function startAgent () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddc-agent-'))
  const portFile = path.join(dir, 'port')
  const record = path.join(dir, 'record.jsonl')
  const proc = spawn(PY, [path.join(__dirname, 'agent.py'), portFile, record], { stdio: ['ignore', 'inherit', 'inherit'] })
  for (let i = 0; i < 200 && !fs.existsSync(portFile); i++) await new Promise((resolve) => setTimeout(resolve, 25))
  if (!fs.existsSync(portFile)) { proc.kill(); throw new Error('the capture agent did not start') }
  const url = `http://127.0.0.1:${fs.readFileSync(portFile, 'utf8')}`
  const requests = () => fs.existsSync(record)
    ? fs.readFileSync(record, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []
  const spans = () => requests().flatMap((r) => (r.payload || []).flat())
  // Waits (polling, up to ms) until pred(spans) holds; returns the spans.
  const waitFor = async (pred, ms = 5000) => {
    const end = Date.now() + ms
    for (;;) {
      const s = spans()
      if (pred(s) || Date.now() > end) return s
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  return { url, requests, spans, waitFor, stop: () => proc.kill('SIGTERM'), dir }
}

// Runs `node -e code` with env; returns { status, stdout, stderr }.
function runNode (code, env) {
  const r = spawnSync(process.execPath, ['-e', code], { env: Object.assign({}, process.env, env), encoding: 'utf8', timeout: 20000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

module.exports = { startAgent, runNode, sleep, PY }

// The package under test: the installed `dd-trace-c` (tests/node_binding_test.sh installs the
// tarball beside these files), else this checkout's.
function pkgDir () {
  try { return path.dirname(require.resolve('dd-trace-c/package.json')) } catch (e) { return path.join(__dirname, '..') }
}
function pkg () { return require(pkgDir()) }
module.exports.pkg = pkg
module.exports.pkgDir = pkgDir
