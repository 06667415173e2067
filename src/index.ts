export * from './data-capture';
export * from './existing-endpoint';
export * from './existing-model';
export * from './inference-experiment';
export * from './instance-type';
export * from './model-variant';
export * from './schedule';
export * from './shadow-mode-config';
