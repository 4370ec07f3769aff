import { describe, expect, it } from 'vitest';
import { indOf, mysqlDateTime, produceBody, toRecordValue, topicUrl } from '../../../src/emulator/records.ts';

describe('row → record shaping', () => {
  it('keeps columns, order and MySQL datetime strings as they are', () => {
    const row = {
      ind: 7528,
      timestamp: '2020-08-28 03:52:47',
      latitude: -89.9787,
      longitude: -173.293,
      country: 'Albania',
    };
    const v = toRecordValue(row);
    expect(v).toEqual(row);
    expect(Object.keys(v)).toEqual(['ind', 'timestamp', 'latitude', 'longitude', 'country']);
  });

  it('formats a Date as the MySQL string, in UTC, as the original default=str did', () => {
    expect(mysqlDateTime(new Date(Date.UTC(2015, 9, 24, 11, 23, 51)))).toBe('2015-10-24 11:23:51');
    expect(toRecordValue({ date_joined: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)) })).toEqual({
      date_joined: '2020-01-02 03:04:05',
    });
  });

  it('turns bigint, Buffer, undefined and non-finite numbers into JSON values', () => {
    expect(toRecordValue({ a: 12n, b: Buffer.from('x'), c: undefined, d: Number.NaN, e: 2n ** 70n })).toEqual(
      {
        a: 12,
        b: 'x',
        c: null,
        d: null,
        e: '1180591620717411303424',
      },
    );
  });

  it('writes the Confluent v2 JSON body and finds the post index per topic', () => {
    const pin = toRecordValue({ index: 3, title: 'No Title Data Available' });
    const geo = toRecordValue({ ind: 3, country: 'Chad' });
    expect(JSON.parse(produceBody([pin, geo]))).toEqual({ records: [{ value: pin }, { value: geo }] });
    expect(indOf('pin', pin)).toBe(3);
    expect(indOf('geo', geo)).toBe(3);
  });

  it('builds <base>/topics/<topic> with or without a trailing slash', () => {
    expect(topicUrl('http://h:1/restapis/a/test/_user_request_/', 'x.pin')).toBe(
      'http://h:1/restapis/a/test/_user_request_/topics/x.pin',
    );
    expect(topicUrl('http://h:1', 'x.geo')).toBe('http://h:1/topics/x.geo');
  });
});
