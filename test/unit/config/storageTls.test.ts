import { strict as assert } from 'node:assert';
import { readStorage } from '../../../src/config/storage';
import { createStorageLayer } from '../../../src/storage/createStorageLayer';
import { useMongoDatabase } from '../../support/mongo';

describe('config: MONGODB_REQUIRE_TLS', () => {
  it('should be off by default and on when set', () => {
    assert.equal(readStorage({ MONGODB_URI: 'mongodb://db:27017' }).mongodb?.requireTls, false);
    assert.equal(
      readStorage({ MONGODB_URI: 'mongodb+srv://u:p@cluster.example.net/?retryWrites=true', MONGODB_REQUIRE_TLS: 'true' }).mongodb?.requireTls,
      true,
    );
  });

  it('should refuse a URI that turns TLS or certificate checks off, naming both settings', () => {
    assert.throws(
      () => readStorage({ MONGODB_URI: 'mongodb://db:27017/?tls=false', MONGODB_REQUIRE_TLS: 'true' }),
      /MONGODB_URI: has tls=false but MONGODB_REQUIRE_TLS=true/,
    );
    assert.throws(() => readStorage({ MONGODB_URI: 'mongodb://db:27017/?ssl=false', MONGODB_REQUIRE_TLS: 'true' }), /ssl=false/);
    assert.throws(() => readStorage({ MONGODB_URI: 'mongodb://db/?tlsAllowInvalidCertificates=true', MONGODB_REQUIRE_TLS: 'true' }), /certificate checks off/);
  });

  describe('against a MongoDB wire server without TLS', () => {
    const mongo = useMongoDatabase('tls');

    it('should connect without the setting and refuse to connect with it', async () => {
      const plain = await createStorageLayer(readStorage({ MONGODB_URI: mongo.uri, MONGODB_DB: mongo.db.databaseName }));
      await plain.close();
      const config = readStorage({
        MONGODB_URI: mongo.uri,
        MONGODB_DB: mongo.db.databaseName,
        MONGODB_REQUIRE_TLS: 'true',
        MONGODB_CONNECT_TIMEOUT_MS: '1500',
      });
      await assert.rejects(createStorageLayer(config), /Cannot reach MongoDB/);
    });
  });
});
