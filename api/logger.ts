import pino from 'pino';

/** Structured JSON logs. Request-scoped loggers are children carrying `requestId`. */
export const logger = pino({
  level: process.env.LOG_LEVEL || (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { service: 'callcenter-api' },
  redact: ['req.headers.authorization', 'password', '*.password', 'token', '*.token'],
});

export type Logger = pino.Logger;
