// eslint-disable-next-line @typescript-eslint/ban-ts-comment -- verbatim JavaScript, see below
// @ts-nocheck -- a verbatim JavaScript benchmark kept for reproducibility, not part of the typed code base.
// Reproduces the parquetjs-lite vs hyparquet measurement behind the choice of hyparquet (see docs/publishing.md,
// "Publishing data"). parquetjs-lite is NOT a dependency of warmstart; to run:
//   npm install --no-save parquetjs-lite
//   npm run bench:parquet
// (PYTHONPATH enables the pyarrow part.) Files are written to $TMPDIR/warmstart-parquet-libraries/.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import parquetjs from 'parquetjs-lite'
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetReadObjects } from 'hyparquet'
import { parquetWriteFile } from 'hyparquet-writer'

const SELF = fileURLToPath(import.meta.url)
const DIR = path.join(os.tmpdir(), 'warmstart-parquet-libraries')
const N = 10_000
const PIX = 784
const REPS = 5
fs.mkdirSync(DIR, { recursive: true })

let compressors = null // hyparquet-compressors is optional (needed for zstd in hyparquet)
try { compressors = (await import('hyparquet-compressors')).compressors } catch { /* not installed */ }

const gc = () => { if (globalThis.gc) { globalThis.gc(); globalThis.gc() } }
const median = a => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1] }
const r1 = x => Math.round(x * 10) / 10
const MB = b => Math.round(b / 1048576 * 10) / 10

// ---------- deterministic MNIST-like data ----------
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
function genData() {
  const rnd = mulberry32(42)
  const images = new Array(N)
  const labels = new Int32Array(N)
  const ids = new BigInt64Array(N)
  for (let i = 0; i < N; i++) {
    const img = new Uint8Array(PIX)
    // 2-3 random-walk pen strokes with a soft 3x3 brush, kept inside the central 20x20 box like MNIST
    const strokes = 2 + Math.floor(rnd() * 2)
    for (let s = 0; s < strokes; s++) {
      let x = 8 + rnd() * 12, y = 6 + rnd() * 16
      let dx = rnd() * 2 - 1, dy = rnd() * 2 - 1
      const steps = 10 + Math.floor(rnd() * 8)
      for (let k = 0; k < steps; k++) {
        for (let oy = -1; oy <= 1; oy++) for (let ox = -1; ox <= 1; ox++) {
          const px = Math.round(x) + ox, py = Math.round(y) + oy
          if (px < 4 || px > 23 || py < 4 || py > 23) continue
          const v = (ox === 0 && oy === 0) ? 255 : (ox === 0 || oy === 0) ? 120 + Math.floor(rnd() * 135) : Math.floor(rnd() * 130)
          const j = py * 28 + px
          if (v > img[j]) img[j] = v
        }
        dx = Math.max(-1, Math.min(1, dx + (rnd() - 0.5) * 0.6)); dy = Math.max(-1, Math.min(1, dy + (rnd() - 0.5) * 0.6))
        x += dx; y += dy
      }
    }
    images[i] = img
    labels[i] = Math.floor(rnd() * 10)
    ids[i] = BigInt(i)
  }
  return { images, labels, ids }
}

// ---------- libraries ----------
// result shape for every reader: { image: Uint8Array[], label: ArrayLike<number>, id: ArrayLike<bigint|number>, types }
const libs = {
  'parquetjs-lite': {
    // GOTCHA: image must be a node Buffer (a plain Uint8Array crashes close()/page flush with
    // "buf.copy is not a function" because min/max statistics are taken from the raw input value).
    // Stats on BYTE_ARRAY are computed with JS `<`/`>` on Buffers (string coercion) — costly; opts.imageStats=false disables.
    async write(file, d, opts = {}) {
      const schema = new parquetjs.ParquetSchema({
        image: { type: 'BYTE_ARRAY', compression: 'SNAPPY', ...(opts.imageStats === false ? { statistics: false } : {}) },
        label: { type: 'INT32', compression: 'SNAPPY' },
        id: { type: 'INT64', compression: 'SNAPPY' },
      })
      // defaults: rowGroupSize 4096, data page V2, PLAIN encoding
      const w = await parquetjs.ParquetWriter.openFile(schema, file)
      for (let i = 0; i < N; i++) await w.appendRow({ image: Buffer.from(d.images[i].buffer, d.images[i].byteOffset, d.images[i].byteLength), label: d.labels[i], id: d.ids[i] })
      await w.close()
    },
    async read(file) {
      const r = await parquetjs.ParquetReader.openFile(file)
      try {
        const n = Number(r.getRowCount())
        const image = new Array(n), label = new Array(n), id = new Array(n)
        const cur = r.getCursor() // or getCursor(['image','label'])
        let i = 0, row
        while ((row = await cur.next())) { image[i] = row.image; label[i] = row.label; id[i] = row.id; i++ }
        return { image, label, id, n: i }
      } finally { await r.close() }
    },
  },
  hyparquet: {
    write(file, d) {
      parquetWriteFile({
        filename: file,
        codec: 'SNAPPY', // default anyway
        // rowGroupSize default is [1000, 100000] => 1000 + 9000 rows here
        columnData: [
          { name: 'image', data: d.images, type: 'BYTE_ARRAY', nullable: false }, // Array<Uint8Array>
          { name: 'label', data: d.labels, type: 'INT32', nullable: false },      // Int32Array or number[]
          { name: 'id', data: d.ids, type: 'INT64', nullable: false },            // BigInt64Array or bigint[] (numbers throw)
        ],
      })
    },
    // columnar read, row group by row group, no row transposition
    async read(file, opts = {}) {
      const ab = await asyncBufferFromFile(file)
      const metadata = await parquetMetadataAsync(ab)
      const n = Number(metadata.num_rows)
      const out = { image: new Array(n), label: new Int32Array(n), id: new BigInt64Array(n) }
      const types = {}
      let rgStart = 0
      for (const rg of metadata.row_groups) {
        const rgEnd = rgStart + Number(rg.num_rows)
        await parquetRead({
          file: ab, metadata, rowStart: rgStart, rowEnd: rgEnd,
          columns: ['image', 'label', 'id'],
          utf8: false, // REQUIRED: otherwise un-annotated BYTE_ARRAY is decoded to strings
          compressors: opts.compressors,
          onChunk({ columnName, columnData, rowStart, rowEnd }) {
            types[columnName] = columnData.constructor.name
            const dst = out[columnName]
            const lo = Math.max(rowStart, rgStart), hi = Math.min(rowEnd, rgEnd) // chunks may overhang the range
            for (let i = lo; i < hi; i++) dst[i] = columnData[i - rowStart]
          },
        })
        rgStart = rgEnd
      }
      return { ...out, n, types }
    },
  },
}
// extra read-only variants
const readers = {
  'parquetjs-lite': f => libs['parquetjs-lite'].read(f),
  'hyparquet(onChunk per row group)': f => libs.hyparquet.read(f),
  'hyparquet(parquetReadObjects)': async f => {
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(f), utf8: false })
    return { image: rows.map(r => r.image), label: rows.map(r => r.label), id: rows.map(r => r.id), n: rows.length }
  },
}
if (compressors) readers['hyparquet+hyparquet-compressors'] = f => libs.hyparquet.read(f, { compressors })

function verify(d, r) {
  if (r.n !== N || r.image.length !== N) return `row count ${r.n}`
  for (let i = 0; i < N; i++) {
    const a = d.images[i], b = r.image[i]
    if (!(b instanceof Uint8Array)) return `row ${i}: image is ${typeof b} ${b?.constructor?.name}`
    if (b.length !== PIX) return `row ${i}: image length ${b.length}`
    for (let j = 0; j < PIX; j++) if (a[j] !== b[j]) return `row ${i}: image byte ${j} differs`
    if (r.label[i] !== d.labels[i]) return `row ${i}: label ${r.label[i]} != ${d.labels[i]}`
    if (BigInt(r.id[i]) !== d.ids[i]) return `row ${i}: id ${r.id[i]} != ${d.ids[i]}`
  }
  return 'ok'
}
const typeInfo = r => ({ image: r.image[0]?.constructor?.name, label: `${typeof r.label[0]} (${r.label.constructor.name})`, id: `${typeof r.id[0]} (${r.id.constructor.name})`, ...(r.types ? { onChunkColumnData: r.types } : {}) })

// ---------- child mode: peak RSS for one op in a fresh process ----------
if (process.argv[2] === '--mem') {
  const [, , , lib, op, file] = process.argv
  const d = op === 'write' ? genData() : null
  gc()
  const base = process.memoryUsage().rss
  const t = performance.now()
  const res = op === 'write' ? await libs[lib].write(file, d) : await readers[lib](file)
  const ms = performance.now() - t
  const after = process.memoryUsage().rss
  const peak = process.resourceUsage().maxRSS * 1024
  process.stdout.write(JSON.stringify({ peakDeltaMB: MB(peak - base), rssDeltaAfterMB: MB(after - base), ms: r1(ms), keep: !!res }))
  process.exit(0)
}

// ---------- main ----------
const data = genData()
const zeroFrac = data.images.reduce((s, im) => s + im.reduce((z, v) => z + (v === 0), 0), 0) / (N * PIX)
const result = {
  env: { node: process.version, N, repsPerMeasurement: REPS, warmupRuns: 1, gcExposed: !!globalThis.gc },
  versions: Object.fromEntries(['parquetjs-lite', 'hyparquet', 'hyparquet-writer', 'hyparquet-compressors'].map(p => {
    try { return [p, JSON.parse(fs.readFileSync(path.join(path.dirname(SELF), '../node_modules', p, 'package.json'))).version] } catch { return [p, null] }
  })),
  data: { rows: N, imageBytes: PIX, zeroByteFraction: Math.round(zeroFrac * 1000) / 1000, rawImageMB: MB(N * PIX) },
  write: {}, read: {}, memory: {}, interop: {}, pyarrow: null,
}
result.versions['hyparquet (nested dep of hyparquet-writer)'] = (() => { try { return JSON.parse(fs.readFileSync(path.join(path.dirname(SELF), 'node_modules/hyparquet-writer/node_modules/hyparquet/package.json'))).version } catch { return null } })()

const writers = { ...libs, 'parquetjs-lite(image statistics:false)': { write: (f, d) => libs['parquetjs-lite'].write(f, d, { imageStats: false }) } }
for (const [name, lib] of Object.entries(writers)) {
  const file = path.join(DIR, `${name.startsWith('parquetjs-lite(') ? 'parquetjs-lite-nostats' : name}.parquet`)
  const times = []
  for (let rep = 0; rep <= REPS; rep++) {
    gc()
    const t = performance.now()
    await lib.write(file, data)
    if (rep > 0) times.push(performance.now() - t)
  }
  result.write[name] = { medianMs: r1(median(times)), allMs: times.map(r1), fileBytes: fs.statSync(file).size, compression: 'SNAPPY' }
}
result.write['parquetjs-lite'].notes = 'rowGroupSize 4096 (3 row groups), DATA_PAGE_V2, PLAIN, snappyjs'
result.write.hyparquet.notes = 'rowGroupSize [1000,100000] (2 row groups), DATA_PAGE v1, built-in JS snappy'

for (const [name, read] of Object.entries(readers)) {
  const file = path.join(DIR, `${name.startsWith('parquetjs') ? 'parquetjs-lite' : 'hyparquet'}.parquet`) // each reads its own lib's file
  const times = []
  let status, types
  for (let rep = 0; rep <= REPS; rep++) {
    gc()
    const t = performance.now()
    const r = await read(file)
    const ms = performance.now() - t
    if (rep > 0) times.push(ms)
    status = verify(data, r); types = typeInfo(r)
  }
  result.read[name] = { file: path.basename(file), medianMs: r1(median(times)), allMs: times.map(r1), roundTrip: status, jsTypes: types }
}

for (const lib of ['parquetjs-lite', 'hyparquet']) {
  const file = path.join(DIR, `${lib}.parquet`)
  const run = (who, op) => {
    const p = spawnSync(process.execPath, ['--expose-gc', SELF, '--mem', who, op, file], { encoding: 'utf8' })
    try { return JSON.parse(p.stdout) } catch { return { error: (p.stderr || p.stdout).slice(0, 300) } }
  }
  result.memory[lib] = { write: run(lib, 'write'), read: run(lib === 'hyparquet' ? 'hyparquet(onChunk per row group)' : lib, 'read') }
}
result.memory.note = 'fresh child process per op; peakDeltaMB = maxRSS - rss just before the op (write child already holds the 7.5 MB input)'

// ---------- pyarrow files ----------
const files = { 'parquetjs-lite': path.join(DIR, 'parquetjs-lite.parquet'), 'hyparquet-writer': path.join(DIR, 'hyparquet.parquet') }
const pyEnv = { ...process.env, PYTHONPATH: [path.join(path.dirname(SELF), 'py'), process.env.PYTHONPATH].filter(Boolean).join(':') }
const probe = spawnSync('python3', ['-c', 'import pyarrow; print(pyarrow.__version__)'], { env: pyEnv, encoding: 'utf8' })
if (probe.status === 0) {
  result.versions.pyarrow = probe.stdout.trim()
  const raw = path.join(DIR, 'raw')
  fs.writeFileSync(raw + '.images', Buffer.concat(data.images.map(im => Buffer.from(im.buffer, im.byteOffset, im.byteLength))))
  fs.writeFileSync(raw + '.labels', Buffer.from(data.labels.buffer))
  fs.writeFileSync(raw + '.ids', Buffer.from(data.ids.buffer))
  files['pyarrow-default'] = path.join(DIR, 'pyarrow-default.parquet')
  files['pyarrow-zstd'] = path.join(DIR, 'pyarrow-zstd.parquet')
  files['pyarrow-v1.0-snappy'] = path.join(DIR, 'pyarrow-v1.parquet') // format version='1.0' (what parquetjs-lite insists on)
  const py = `
import json, sys, array, pyarrow as pa, pyarrow.parquet as pq
raw, N, P = sys.argv[1], ${N}, ${PIX}
rd = lambda ext: pa.py_buffer(open(raw + ext, 'rb').read())
offs = pa.py_buffer(array.array('i', range(0, N * P + 1, P)).tobytes())
images = pa.Array.from_buffers(pa.binary(), N, [None, offs, rd('.images')])
labels = pa.Array.from_buffers(pa.int32(), N, [None, rd('.labels')])
ids = pa.Array.from_buffers(pa.int64(), N, [None, rd('.ids')])
schema = pa.schema([pa.field('image', pa.binary(), False), pa.field('label', pa.int32(), False), pa.field('id', pa.int64(), False)])
t = pa.Table.from_arrays([images, labels, ids], schema=schema)
pq.write_table(t, sys.argv[2])                          # defaults: dictionary on, snappy, format 2.6, data page v1
pq.write_table(t, sys.argv[3], compression='zstd')
pq.write_table(t, sys.argv[4], version='1.0')
out = {}
for f in sys.argv[2:]:
    try:
        md = pq.ParquetFile(f).metadata
        c = md.row_group(0).column(0)
        fmd_version = md.format_version
        r = pq.read_table(f)
        ok = r.column('image').cast(pa.binary()).equals(t.column('image')) and r.column('label').equals(t.column('label')) and r.column('id').cast(pa.int64()).equals(t.column('id'))
        out[f] = {'pyarrowReads': 'ok' if ok else 'MISMATCH', 'rowGroups': md.num_row_groups, 'imageEncodings': list(c.encodings), 'codec': c.compression, 'formatVersion': fmd_version, 'createdBy': md.created_by}
    except Exception as e:
        out[f] = {'pyarrowReads': 'ERROR ' + str(e)[:200]}
print(json.dumps(out))
`
  const p = spawnSync('python3', ['-c', py, raw, files['pyarrow-default'], files['pyarrow-zstd'], files['pyarrow-v1.0-snappy'], files['parquetjs-lite'], files['hyparquet-writer']], { env: pyEnv, encoding: 'utf8' })
  if (p.status === 0) {
    const pyOut = JSON.parse(p.stdout)
    result.pyarrow = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, { ...pyOut[f], fileBytes: fs.statSync(f).size }]))
  } else result.pyarrow = { error: p.stderr.slice(-500) }
} else result.pyarrow = { error: 'pyarrow not importable: ' + probe.stderr.slice(-200) }

// ---------- interop matrix: every reader x every file ----------
for (const [rname, read] of Object.entries(readers)) {
  result.interop[rname] = {}
  for (const [fname, f] of Object.entries(files)) {
    if (!fs.existsSync(f)) continue
    try {
      const t = performance.now()
      const r = await read(f)
      const ms = performance.now() - t
      result.interop[rname][fname] = verify(data, r) + ` (${r1(ms)} ms, single run)`
    } catch (e) { result.interop[rname][fname] = 'ERROR: ' + String(e?.message ?? e).slice(0, 160) }
  }
}

console.log(JSON.stringify(result, null, 2))
