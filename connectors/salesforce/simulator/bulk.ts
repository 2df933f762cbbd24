/**
 * Bulk API 2.0 query jobs (Bulk API 2.0 guide, "Query Jobs"): POST /jobs/query, GET
 * /jobs/query/{id}, GET /jobs/query/{id}/results (CSV; `Sforce-Locator` names the next chunk,
 * the string "null" on the last), PATCH /jobs/query/{id} with state Aborted, DELETE
 * /jobs/query/{id}. Jobs finish on creation; the first poll reports InProgress so that clients
 * exercise polling.
 */
import { randomBytes } from 'node:crypto';
import type { ApiRoute, SimContext } from './context';
import { formatDatetime, isRecordObject, sfError } from './http-util';
import { csvRows, runQuery, type QueryOutcome } from './query-engine';
import { queryErrorResponse } from './query-routes';

interface Job {
  id: string;
  operation: string;
  object: string;
  createdDate: number;
  outcome: QueryOutcome;
  polls: number;
  aborted: boolean;
  apiVersion: string;
}

const jobsByStore = new WeakMap<object, Map<string, Job>>();
function jobs(ctx: SimContext): Map<string, Job> {
  let m = jobsByStore.get(ctx.store);
  if (!m) {
    m = new Map();
    jobsByStore.set(ctx.store, m);
  }
  return m;
}

/** The job as its create answer shows it, or (`polled`) as "Get Information About a Query Job" does. */
function jobInfo(job: Job, state: string, polled = false): Record<string, unknown> {
  const head = {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: '0055g00000SimUSR',
    createdDate: formatDatetime(job.createdDate),
    systemModstamp: formatDatetime(job.createdDate),
    state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    lineEnding: 'LF',
    columnDelimiter: 'COMMA',
  };
  if (!polled) return head;
  const done = state === 'JobComplete';
  return { ...head, jobType: 'V2Query', numberRecordsProcessed: done ? job.outcome.rows.length : 0, retries: 0, totalProcessingTime: done ? 1 : 0, isPkChunkingSupported: true };
}

function stateOf(job: Job): string {
  if (job.aborted) return 'Aborted';
  return job.polls > 1 ? 'JobComplete' : 'InProgress';
}

export const bulkRoutes: ApiRoute[] = [
  {
    method: 'POST',
    pattern: /^\/jobs\/query\/?$/,
    handle: (ctx, req) => {
      const body = req.body;
      if (!isRecordObject(body) || typeof body['query'] !== 'string') return sfError(400, 'INVALIDJOB', 'query is required');
      const operation = body['operation'] === 'queryAll' ? 'queryAll' : 'query';
      let outcome: QueryOutcome;
      try {
        outcome = runQuery(ctx.store, body['query'], operation === 'queryAll');
      } catch (err) {
        return queryErrorResponse(err);
      }
      if (outcome.query.count) return sfError(400, 'INVALIDJOB', 'Aggregate queries are not supported by Bulk API 2.0');
      const id = `750${randomBytes(8).toString('hex').slice(0, 15)}`;
      const job: Job = { id, operation, object: outcome.obj.name, createdDate: ctx.store.now(), outcome, polls: 0, aborted: false, apiVersion: ctx.version };
      jobs(ctx).set(job.id, job);
      return { status: 200, body: jobInfo(job, 'UploadComplete') };
    },
  },
  {
    method: 'GET',
    pattern: /^\/jobs\/query\/(\w+)\/?$/,
    handle: (ctx, _req, m) => {
      const job = jobs(ctx).get(m[1] ?? '');
      if (!job) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      job.polls += 1;
      return { status: 200, body: jobInfo(job, stateOf(job), true) };
    },
  },
  {
    // Abort a Query Job: only a job not yet complete can be aborted.
    method: 'PATCH',
    pattern: /^\/jobs\/query\/(\w+)\/?$/,
    handle: (ctx, req, m) => {
      const job = jobs(ctx).get(m[1] ?? '');
      if (!job) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      if (!isRecordObject(req.body) || req.body['state'] !== 'Aborted') return sfError(400, 'INVALIDJOBSTATE', 'state can only be set to Aborted');
      if (stateOf(job) === 'JobComplete') return sfError(400, 'INVALIDJOBSTATE', 'Job is already complete');
      job.aborted = true;
      return { status: 200, body: jobInfo(job, 'Aborted') };
    },
  },
  {
    method: 'GET',
    pattern: /^\/jobs\/query\/(\w+)\/results\/?$/,
    handle: (ctx, req, m) => {
      const job = jobs(ctx).get(m[1] ?? '');
      if (!job) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      if (stateOf(job) !== 'JobComplete') {
        const current = job.aborted ? 'ABORTED' : 'IN_PROGRESS';
        return sfError(412, 'JOB_NOT_COMPLETE', `can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: ${current}`);
      }
      const locator = req.query.get('locator');
      const from = locator ? Number(Buffer.from(locator, 'base64url').toString('utf8')) : 0;
      const max = Number(req.query.get('maxRecords') ?? '50000');
      if (!Number.isInteger(from) || from < 0 || !Number.isInteger(max) || max < 1) return sfError(400, 'INVALIDLOCATOR', 'invalid locator or maxRecords');
      const to = Math.min(job.outcome.rows.length, from + max);
      const next = to < job.outcome.rows.length ? Buffer.from(String(to)).toString('base64url') : 'null';
      return {
        status: 200,
        text: csvRows(ctx.store, job.outcome, from, to),
        headers: { 'content-type': 'text/csv', 'sforce-locator': next, 'sforce-numberofrecords': String(to - from) },
      };
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/jobs\/query\/(\w+)\/?$/,
    handle: (ctx, _req, m) => (jobs(ctx).delete(m[1] ?? '') ? { status: 204 } : sfError(404, 'NOT_FOUND', 'The requested resource does not exist')),
  },
];
