import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ORDER_STATUS_CODES } from '../../../dialogs/ports';
import { FileOrderService } from '../../../src/orders/FileOrderService';
import { fromRoot } from '../../../src/paths';

function writeTemp(content: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'orders-')), 'orders.json');
  writeFileSync(file, content);
  return file;
}

describe('FileOrderService', () => {
  it('should load the sample file with about 20 orders in varied states', async () => {
    const service = FileOrderService.fromFile(fromRoot('data/orders.json'));
    assert.ok(service.size >= 20);
    const statuses = new Set<string>();
    for (const id of ['12345', '98765', 'ABC123', 'XYZ789', 'ORDER001', '55555', '24680', '13579', 'ORD-20931']) {
      const order = await service.getOrderStatus(id);
      assert.ok(order, id);
      statuses.add(order.status);
    }
    assert.ok(statuses.size >= 8, `only ${[...statuses].join(', ')}`);
    assert.ok([...statuses].every((s) => (ORDER_STATUS_CODES as readonly string[]).includes(s)));
  });

  it('should find orders case-insensitively and return null for unknown IDs', async () => {
    const service = FileOrderService.fromFile(fromRoot('data/orders.json'));
    assert.equal((await service.getOrderStatus('abc123'))?.id, 'ABC123');
    assert.equal(await service.getOrderStatus('00000'), null);
  });

  it('should name ORDERS_FILE and the problem for a file that is not JSON', () => {
    const file = writeTemp('not json');
    assert.throws(
      () => FileOrderService.fromFile(file),
      (err: Error & { code?: string }) => err.code === 'ORDERS_FILE_INVALID' && /ORDERS_FILE: cannot read/.test(err.message),
    );
  });

  it('should name the entry that is malformed', () => {
    const file = writeTemp(
      JSON.stringify([
        { id: '12345', status: 'shipped' },
        { id: '', status: 'shipped' },
      ]),
    );
    assert.throws(() => FileOrderService.fromFile(file), /entry 1: "id" must be a non-empty string/);
  });

  it('should reject a file that is not an array', () => {
    assert.throws(() => FileOrderService.fromFile(writeTemp('{"orders": []}')), /must hold a JSON array/);
  });
});
