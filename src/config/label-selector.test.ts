import { describe, expect, it } from '@jest/globals';
import { isLabelSelector } from './label-selector.ts';

describe('isLabelSelector', () => {
  it.each([
    '', 'team', '!legacy', 'team=web', 'team==web', 'env!=dev', 'team=web,env!=dev', 'team=', 'example.com/team=web',
    'env in (prod, staging)', 'env notin (dev),team', ' team = web , tier ',
  ])('accepts %j', (s) => {
    expect(isLabelSelector(s)).toBe(true);
  });

  it.each(['=web', 'team=web,', 'team=we b', 'env in prod', 'env in (prod', 'Team.Example.com/x=y', 'a==b=c', 'team=-web'])('rejects %j', (s) => {
    expect(isLabelSelector(s)).toBe(false);
  });
});
