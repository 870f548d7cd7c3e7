import { describe, expect, it } from 'vitest';
import { parseFloatToken, parseTextFormat } from '../../../src/scrape/text-format.js';

describe('parseTextFormat', () => {
  it('parses the format reference example: HELP/TYPE, labels, timestamps, escapes, Inf, histogram, summary', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# Escaping in label values:',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} +Inf -3982045',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'http_request_duration_seconds_sum 53423',
      'rpc_duration_seconds{quantile="0.01",} 3102',
    ].join('\n');
    const { samples, types, issues } = parseTextFormat(text);
    expect(issues).toEqual([]);
    expect(types.get('http_requests_total')).toBe('counter');
    expect(types.get('http_request_duration_seconds')).toBe('histogram');
    expect(samples).toEqual([
      {
        name: 'http_requests_total',
        labels: [
          { name: 'method', value: 'post' },
          { name: 'code', value: '200' },
        ],
        value: 1027,
        timestamp: 1395066363000,
      },
      {
        name: 'http_requests_total',
        labels: [
          { name: 'method', value: 'post' },
          { name: 'code', value: '400' },
        ],
        value: 3,
        timestamp: 1395066363000,
      },
      {
        name: 'msdos_file_access_time_seconds',
        labels: [
          { name: 'path', value: 'C:\\DIR\\FILE.TXT' },
          { name: 'error', value: 'Cannot find file:\n"FILE.TXT"' },
        ],
        value: 1.458255915e9,
      },
      { name: 'metric_without_timestamp_and_labels', labels: [], value: 12.47 },
      {
        name: 'something_weird',
        labels: [{ name: 'problem', value: 'division by zero' }],
        value: Number.POSITIVE_INFINITY,
        timestamp: -3982045,
      },
      { name: 'http_request_duration_seconds_bucket', labels: [{ name: 'le', value: '0.05' }], value: 24054 },
      { name: 'http_request_duration_seconds_bucket', labels: [{ name: 'le', value: '+Inf' }], value: 144320 },
      { name: 'http_request_duration_seconds_sum', labels: [], value: 53423 },
      { name: 'rpc_duration_seconds', labels: [{ name: 'quantile', value: '0.01' }], value: 3102 },
    ]);
  });

  it('node-exporter style lines: colons in names, CRLF, tabs, empty braces, NaN', () => {
    const { samples, issues } = parseTextFormat(
      'node_cpu_seconds_total{cpu="0",mode="idle"}\t17.5\r\nrecord:rule:rate5m{} 1e-3\r\nnode_x NaN\n',
    );
    expect(issues).toEqual([]);
    expect(samples.map((s) => [s.name, s.value])).toEqual([
      ['node_cpu_seconds_total', 17.5],
      ['record:rule:rate5m', 0.001],
      ['node_x', Number.NaN],
    ]);
  });

  it('skips bad lines, naming the line and the problem, and keeps the good ones', () => {
    const { samples, issues } = parseTextFormat(
      [
        'good 1',
        '9bad 1',
        'no_value{a="b"}',
        'bad_value 12abc',
        'bad_label{a=b} 1',
        'unterminated{a="b} 1',
        'bad_escape{a="\\t"} 1',
        'bad_ts 1 17.5',
        'extra 1 2 3',
        'also_good{a="b"} 2',
      ].join('\n'),
    );
    expect(samples.map((s) => s.name)).toEqual(['good', 'also_good']);
    expect(issues).toEqual([
      { line: 2, message: 'expected a metric name' },
      { line: 3, message: 'no value for no_value' },
      { line: 4, message: 'bad value "12abc" for bad_value' },
      { line: 5, message: 'expected a quoted value for label a' },
      { line: 6, message: 'unterminated value of label a' },
      { line: 7, message: 'bad escape "\\t" in the value of label a' },
      { line: 8, message: 'bad timestamp "17.5" for bad_ts (expected integer epoch ms)' },
      { line: 9, message: 'unexpected text after the timestamp: "3"' },
    ]);
  });

  it('float tokens as Go writes them', () => {
    expect(parseFloatToken('-Inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseFloatToken('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseFloatToken('1.5e+09')).toBe(1.5e9);
    expect(parseFloatToken('.5')).toBe(0.5);
    expect(parseFloatToken('-0')).toBe(-0);
    expect(parseFloatToken('')).toBeUndefined();
    expect(parseFloatToken('0x10')).toBeUndefined();
  });
});
