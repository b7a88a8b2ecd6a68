import { labelNameOf } from '../defaults.js';
import type { RuleContext } from './context.js';

/**
 * The catalogue refers to labels by id, while people often write the name a label is exposed as
 * (`status_code` for the label `status` exposed as `status_code`). When `written` is no label id
 * but is the exposed name of one (among `candidates`, when given), this says which id was meant;
 * otherwise it is ''.
 */
export function labelIdHint(context: RuleContext, written: string, candidates?: readonly string[]): string {
  const ids = candidates ?? Object.keys(context.raw.labels);
  const meant = ids.find((id) => {
    const label = context.label(id);
    return label !== undefined && id !== written && labelNameOf(id, label) === written;
  });
  return meant === undefined ? '' : `; did you mean "${meant}"? (labels are referred to by id; "${written}" is the name label ${meant} is exposed as)`;
}
