import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './config.js';

test('PUBLIC_URL defaults to localhost on the configured PORT, so links in mail point where the app is', () => {
  assert.equal(loadConfig({}).publicUrl, 'http://localhost:3000');
  assert.equal(loadConfig({ PORT: '8080' }).publicUrl, 'http://localhost:8080');
  assert.equal(loadConfig({ PORT: '8080', PUBLIC_URL: 'https://help.example.org' }).publicUrl, 'https://help.example.org');
  assert.equal(loadConfig({ PUBLIC_URL: 'https://help.example.org' }).cookieSecure, true);
  assert.equal(loadConfig({ PORT: '8080' }).cookieSecure, false);
});

test('a PUBLIC_URL that is not a URL is refused at start-up, naming the variable', () => {
  assert.throws(() => loadConfig({ PUBLIC_URL: 'help desk' }), /PUBLIC_URL/);
});
