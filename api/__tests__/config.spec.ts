import { ConfigError, parseConfig } from '../config';

describe('configuration', () => {
  it('defaults to production on port 4000 with data under ./.data', () => {
    const c = parseConfig({});
    expect(c.NODE_ENV).toBe('production');
    expect(c.PORT).toBe(4000);
    expect(c.dataDir.endsWith('.data')).toBe(true);
    expect(c.GRAPHQL_INTROSPECTION).toBe(false);
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('turns introspection on outside production unless told otherwise', () => {
    expect(parseConfig({ NODE_ENV: 'development' }).GRAPHQL_INTROSPECTION).toBe(true);
    expect(parseConfig({ NODE_ENV: 'development', GRAPHQL_INTROSPECTION: 'false' }).GRAPHQL_INTROSPECTION).toBe(false);
    expect(parseConfig({ GRAPHQL_INTROSPECTION: 'true' }).GRAPHQL_INTROSPECTION).toBe(true);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [{ ADMIN_EMAIL: 'not-an-email' }, 'ADMIN_EMAIL'],
    [{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
    [{ TRUSTED_PROXIES: '10.0.0.0/8, not an ip' }, 'TRUSTED_PROXIES'],
    [{ JOBS_ENABLED: 'maybe' }, 'JOBS_ENABLED'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('stops on %j with a message naming %s', (env, name) => {
    expect(() => parseConfig(env as Record<string, string>)).toThrow(ConfigError);
    expect(() => parseConfig(env as Record<string, string>)).toThrow(new RegExp(`\\b${name}:`));
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ PORT: '', DATABASE_URL: '' }).PORT).toBe(4000);
  });

  it('parses trusted proxies as a list', () => {
    expect(parseConfig({ TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' }).TRUSTED_PROXIES).toEqual(['127.0.0.1', '10.0.0.0/8']);
  });
});
