// Precision/recall of a watch against labelled items; pure so the CLI, tests and bench share it.

export interface EvaluatedItem {
  id: string;
  relevant: boolean;
  matched: boolean;
}

export interface Miss {
  id: string;
  kind: "false-positive" | "false-negative";
}

export interface Evaluation {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
  misses: Miss[];
}

/** Scores are 0 when undefined (no predictions, no relevant items) rather than NaN, so they print and compare. */
export function evaluate(results: EvaluatedItem[]): Evaluation {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  const misses: Miss[] = [];
  for (const { id, relevant, matched } of results) {
    if (relevant && matched) tp++;
    else if (!relevant && !matched) tn++;
    else if (matched) {
      fp++;
      misses.push({ id, kind: "false-positive" });
    } else {
      fn++;
      misses.push({ id, kind: "false-negative" });
    }
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const f1 = ratio(2 * precision * recall, precision + recall);
  return { tp, fp, fn, tn, precision, recall, f1, misses };
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
