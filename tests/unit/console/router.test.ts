import { describe, expect, it } from 'vitest';
import { route, type Match } from '../../../src/console/router.ts';

/** The 405/404 a request is refused with, as status and message. */
function refusal(m: Match): [number, string] {
  if (!('refused' in m)) throw new Error(`expected a refusal, got route ${m.route.name}`);
  return [m.refused.status, m.refused.message];
}

const ONLY_ACTIONS = 'Only the /api/actions/* endpoints take POST.';

describe('the console route table', () => {
  it('matches each endpoint with its method, and decodes the topic of a topic path', () => {
    expect(route('GET', '/')).toEqual({ route: { name: 'page', params: {} }, open: false });
    expect(route('GET', '/api/pipeline')).toEqual({ route: { name: 'pipeline', params: {} }, open: false });
    expect(route('GET', '/api/topics/a%2Fb.pin')).toEqual({
      route: { name: 'topic', params: { topic: 'a/b.pin' } },
      open: false,
    });
    expect(route('GET', '/api/topics/x.geo/find')).toEqual({
      route: { name: 'find', params: { topic: 'x.geo' } },
      open: false,
    });
    expect(route('GET', '/api/topics/find')).toEqual({
      route: { name: 'topic', params: { topic: 'find' } },
      open: false,
    });
    expect(route('POST', '/api/actions/emulate')).toEqual({
      route: { name: 'emulate', params: {} },
      open: false,
    });
    expect(route('GET', '/api/s3/object')).toEqual({ route: { name: 's3Object', params: {} }, open: false });
  });

  it('opens only the page script and stylesheet, and only to GET', () => {
    expect(route('GET', '/assets/app.js')).toEqual({ route: { name: 'appJs', params: {} }, open: true });
    expect(route('GET', '/assets/app.css')).toEqual({ route: { name: 'appCss', params: {} }, open: true });
    expect(refusal(route('GET', '/assets/other.js'))).toEqual([404, 'No such page: /assets/other.js.']);
    expect(refusal(route('POST', '/assets/app.js'))).toEqual([405, ONLY_ACTIONS]);
  });

  it('answers another method with the route’s own 405, and POST anywhere else with the default one', () => {
    expect(refusal(route('GET', '/api/actions/batch'))).toEqual([
      405,
      'Start a job with POST /api/actions/batch.',
    ]);
    expect(refusal(route('DELETE', '/api/job'))).toEqual([405, 'GET only.']);
    expect(refusal(route('POST', '/api/pipeline'))).toEqual([405, ONLY_ACTIONS]);
    expect(refusal(route('POST', '/nowhere'))).toEqual([405, ONLY_ACTIONS]);
  });

  it('answers 404 to a path it does not serve: a trailing slash, an empty or undecodable topic', () => {
    for (const path of [
      '/api/pipeline/',
      '/api/topics/',
      '/api/topics//find',
      '/api/topics/%E0',
      '//',
      '/api',
    ]) {
      expect(refusal(route('GET', path))).toEqual([404, `No such page: ${path}.`]);
    }
  });
});
