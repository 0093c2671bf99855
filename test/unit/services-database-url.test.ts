import { databaseUrl } from '../../tools/services';

describe('databaseUrl', () => {
  it('names the database on a bare server URL and keeps the options', () => {
    expect(databaseUrl('mongodb://127.0.0.1:27017', 'db1')).toBe('mongodb://127.0.0.1:27017/db1');
    expect(databaseUrl('mongodb://127.0.0.1:27017/', 'db1')).toBe('mongodb://127.0.0.1:27017/db1');
    expect(databaseUrl('mongodb://a:1,b:2/?replicaSet=rs0', 'db1')).toBe('mongodb://a:1,b:2/db1?replicaSet=rs0');
  });

  it('replaces a database a MONGO_URL already names', () => {
    expect(databaseUrl('mongodb://u:p@h:27017/pcsm_autotask_sync?authSource=admin', 'db1')).toBe('mongodb://u:p@h:27017/db1?authSource=admin');
  });
});
