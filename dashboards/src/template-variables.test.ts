import { interpolate, referencedVariables } from './template-variables';

describe('interpolate', () => {
  const scope = {
    provider: ['openai', 'anthropic'],
    model: '.*',
    run_id: 'resnet50-lr3e-4',
    total_epochs: '100',
  };

  it('writes a multi-valued variable as an escaped regex alternation in PromQL', () => {
    expect(interpolate('x{p=~"$provider"}', scope, { defaultFormat: 'regex' })).toBe(
      'x{p=~"(openai|anthropic)"}',
    );
    expect(interpolate('x{r=~"${run_id}"}', { run_id: ['a.b'] }, { defaultFormat: 'regex' })).toBe(
      'x{r=~"a\\.b"}',
    );
  });

  it('quotes multi values as SQL strings by default and honours an explicit :regex', () => {
    expect(interpolate('provider IN ($provider)', scope, { defaultFormat: 'sqlstring' })).toBe(
      "provider IN ('openai','anthropic')",
    );
    expect(interpolate("p ~ '^(${provider:regex})$'", scope, { defaultFormat: 'sqlstring' })).toBe(
      "p ~ '^((openai|anthropic))$'",
    );
    expect(interpolate('$x', { x: ["o'brien"] }, { defaultFormat: 'sqlstring' })).toBe("'o''brien'");
  });

  it('writes "All" as the allValue whatever the format', () => {
    const all = new Set(['model']);
    expect(
      interpolate(
        "m ~ '^(${model:regex})$'",
        { model: ['.*'] },
        { defaultFormat: 'sqlstring', allValues: all },
      ),
    ).toBe("m ~ '^(.*)$'");
    expect(interpolate('m=~"$model"', { model: ['.*'] }, { defaultFormat: 'regex', allValues: all })).toBe(
      'm=~".*"',
    );
  });

  it('substitutes single values, [[var]] and global variables verbatim', () => {
    expect(
      interpolate(
        '$total_epochs - x[$__rate_interval] [[run_id]]',
        { ...scope, __rate_interval: '1m' },
        { defaultFormat: 'regex' },
      ),
    ).toBe('100 - x[1m] resnet50-lr3e-4');
  });

  it('leaves unknown variables in place so a check can report them', () => {
    expect(interpolate('rate(x[$__range]) $missing', scope, { defaultFormat: 'regex' })).toBe(
      'rate(x[$__range]) $missing',
    );
  });

  it('rejects a format it does not implement', () => {
    expect(() => interpolate('${provider:json}', scope, { defaultFormat: 'regex' })).toThrow(
      /unsupported variable format/,
    );
  });
});

describe('referencedVariables', () => {
  it('finds every syntax once', () => {
    expect(referencedVariables('$a ${b} ${c:regex} [[d]] $a').sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});
