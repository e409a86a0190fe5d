import { numberOption } from '../../../bench/run';
import { UsageError } from '../../../src/core/errors';

describe('numberOption', () => {
  it('gives the fallback when the option is absent, the number when it is given', () => {
    expect(numberOption('seeds', undefined, 10, { integer: true, min: 1 })).toBe(10);
    expect(numberOption('seeds', '3', 10, { integer: true, min: 1 })).toBe(3);
    expect(numberOption('lag', '12.5', 20, { min: 0 })).toBe(12.5);
    expect(numberOption('environments', '50', 5, { integer: true, min: 3, max: 50 })).toBe(50);
  });

  it.each([
    ['seeds', 'many', { integer: true, min: 1 }, 'Expected `--seeds` to be a whole number ≥ 1, got `many`'],
    ['seeds', '2.5', { integer: true, min: 1 }, 'Expected `--seeds` to be a whole number ≥ 1, got `2.5`'],
    ['lag', '-1', { min: 0 }, 'Expected `--lag` to be a number ≥ 0, got `-1`'],
    ['lag', '', { min: 0 }, 'Expected `--lag` to be a number ≥ 0, got ``'],
    [
      'n',
      '51',
      { integer: true, min: 3, max: 50 },
      'Expected `--n` to be a whole number from 3 to 50, got `51`',
    ],
    ['ceiling', '11', { max: 10 }, 'Expected `--ceiling` to be a number ≤ 10, got `11`'],
    ['x', 'Infinity', {}, 'Expected `--x` to be a number, got `Infinity`'],
  ])('refuses --%s %j with a UsageError that says what it must be', (name, raw, rule, message) => {
    const call = () => numberOption(name, raw, 0, rule);
    expect(call).toThrow(UsageError);
    expect(call).toThrow(message);
  });
});
