import { describe, expect, it } from 'vitest';
import { isWarmstartError } from '../../src/errors.js';
import { checkName, isValidName, nameProblem } from '../../src/names.js';
import { candidateIdFor } from '../../workflows/definitions.js';

describe('the name grammar (src/names.ts)', () => {
  it('accepts the names the product makes and users type', () => {
    for (const name of ['digits', 'mnist-ci', 'iris.v2', 'a', 'x_1', '0day', 'd'.repeat(63)]) {
      expect(isValidName('model', name), name).toBe(true);
      expect(isValidName('dataset', name), name).toBe(true);
    }
  });

  it('refuses names that are not exactly one lowercase key segment', () => {
    for (const name of ['', 'UPPER', 'Digits', 'a/b', 'a b', 'données', '.hidden', '../x', '/abs', 'x/..', '-x', '_x', 'a\u0000b', 'd'.repeat(64), 'a\\b']) {
      expect(isValidName('dataset', name), JSON.stringify(name)).toBe(false);
      expect(isValidName('model', name), JSON.stringify(name)).toBe(false);
    }
    expect(isValidName('dataset', 42)).toBe(false);
    expect(isValidName('model', undefined)).toBe(false);
  });

  it('accepts the candidate IDs refreshes and replays derive, and refuses paths', () => {
    expect(isValidName('candidate', `${candidateIdFor(`refresh/${'m'.repeat(63)}/${'d'.repeat(63)}/v123456`)}-scratch`)).toBe(true);
    expect(isValidName('candidate', `${candidateIdFor('replay/digits/v3/20261201T094735')}-warm`)).toBe(true);
    for (const name of ['../x', 'a/b', '.x', '', 'c'.repeat(201)]) expect(isValidName('candidate', name), name).toBe(false);
  });

  it('says what is wrong, the rule, and a close valid name', () => {
    expect(nameProblem('dataset', 'Données Été')).toBe('dataset name "Données Été" is not valid: dataset names are 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit, e.g. "donnees-ete"');
    expect(nameProblem('model', 'm'.repeat(70))).toMatch(/is 70 characters long, over the limit of 63/);
    const error = (() => {
      try {
        checkName('model', '../evil');
      } catch (e) {
        return e;
      }
    })();
    expect(isWarmstartError(error, 'CONFIG_INVALID')).toBe(true);
  });
});
