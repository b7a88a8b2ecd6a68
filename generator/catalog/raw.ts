// Generated from metrics.schema.json by generator/catalog/raw-types.ts. Do not edit: change the schema and run npx tsx generator/catalog/raw-types.ts.
/**
 * The catalogue as written, once it has passed the JSON Schema: the input shape, kept apart from
 * the resolved model (model.ts) that emitters consume.
 */
export interface RawCatalog {
  namespace: string;
  runbook_url?: string;
  grafana_url?: string;
  alert_labels?: Record<string, string>;
  alert_annotations?: Record<string, string>;
  scrape_interval?: string;
  aggregation_labels?: string[];
  budget?: {
    series_per_metric?: number;
    total_series?: number;
  };
  outputs?: {
    typescript?: string;
    dashboards?: string;
    rules?: string;
    reference?: string;
    mimir_rules?: string;
    mimir_namespace?: string;
  };
  labels: Record<string, RawLabel>;
  groups: Record<string, RawGroup>;
  metrics: Record<string, RawMetric>;
  events?: Record<string, RawEvent>;
  summary?: Record<string, RawSummaryFigure>;
  rules?: RawCustomRule[];
}

export interface RawLabel {
  name?: string;
  description: string;
  values?: string[];
  overflow?: string;
  learned?: {
    max: number;
  };
}

export interface RawGroup {
  title: string;
  description?: string;
  order?: number;
  alert_labels?: Record<string, string>;
  alert_annotations?: Record<string, string>;
}

export interface RawMetric {
  type: "counter" | "gauge" | "histogram" | "info";
  group: string;
  help: string;
  unit: "seconds" | "bytes" | "ratio" | "celsius" | "meters" | "grams" | "joules" | "volts" | "amperes" | "usd" | "score" | "count" | "none";
  labels?: string[];
  info_labels?: string[];
  buckets?: number[];
  native?: {
    schema?: number;
    bucket_factor?: number;
    max_buckets?: number;
    zero_threshold?: number;
  };
  series_limit?: number;
  role?: "scrape_duration";
  stability?: "stable" | "experimental";
  deprecated?: {
    reason: string;
    replaced_by?: string;
  };
  panel?: RawPanel;
  alerts?: RawAlert[];
  ratios?: RawRatio[];
}

export interface RawPanel {
  title?: string;
  description?: string;
  quantiles?: number[];
  split_by?: string[];
  unit?: string;
  hide?: boolean;
}

export interface RawRatio {
  name: string;
  description?: string;
  match?: Record<string, string | string[] | {
    not: string | string[];
  }>;
  denominator?: string;
  denominator_match?: Record<string, string | string[] | {
    not: string | string[];
  }>;
  by?: string[];
}

export interface RawAlert {
  name: string;
  kind: "threshold" | "quantile" | "degradation" | "anomaly" | "absence" | "stall" | "slo";
  severity: "critical" | "warning" | "info";
  summary: string;
  description?: string;
  for?: string;
  by?: string[];
  match?: Record<string, string | string[] | {
    not: string | string[];
  }>;
  of?: "value" | "rate" | "ratio" | "average" | "delta";
  ratio?: string;
  above?: number;
  below?: number;
  quantile?: number;
  window?: string;
  drop_percent?: number;
  offset?: string;
  baseline?: string;
  z?: number;
  min_rate?: number;
  objective?: number;
  good?: Record<string, string | string[] | {
    not: string | string[];
  }>;
  latency_below?: number;
  slo_window?: string;
  bad?: Record<string, string | string[] | {
    not: string | string[];
  }>;
  aggregate?: "sum" | "max" | "min" | "avg";
  good_metric?: string;
  bad_metric?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type RawEventField = {
  label: string;
  description?: string;
} | {
  type: "number";
  description?: string;
  optional?: boolean;
};

export interface RawEventRecord {
  inc?: string;
  dec?: string;
  set?: string;
  observe?: string;
  value?: string;
  by?: string;
  labels?: Record<string, string | {
    field: string;
  }>;
}

export interface RawEvent {
  description: string;
  fields: Record<string, RawEventField>;
  records: RawEventRecord[];
}

export type RawSummaryFigure = {
  average: string;
  description?: string;
} | {
  total: string;
  description?: string;
} | {
  ratio: string;
  description?: string;
};

export type RawCustomRule = {
  record: string;
  group: string;
  expr: string;
  description?: string;
  labels?: Record<string, string>;
} | {
  alert: string;
  group: string;
  expr: string;
  for?: string;
  severity: "critical" | "warning" | "info";
  summary: string;
  description?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};

export type MetricType = RawMetric['type'];
export type Unit = RawMetric['unit'];
export type Severity = RawAlert['severity'];
export type AlertKind = RawAlert['kind'];
