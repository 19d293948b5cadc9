// A CartView -> the cart JSON clients expect (money as decimal strings).
import { formatMoney } from '../../core/money.js';
import type { CartView } from './cart.service.js';

export function cartJson(view: CartView) {
  const currency = view.cart.currency;
  return {
    id: view.cart.id,
    cart_token: view.token,
    items: view.lines.map((line) => ({
      id: line.item.id,
      product: { id: line.variant.productId, name: line.variant.productName, slug: line.variant.productSlug },
      variant: { id: line.variant.id, sku: line.variant.sku, name: line.variant.name, options: line.variant.options },
      quantity: line.item.quantity,
      unit_price: formatMoney(line.unitPrice, currency),
      line_total: formatMoney(line.lineTotal, currency),
      price_at_add: formatMoney(line.item.unitPrice, currency),
      price_changed: line.priceChanged,
      is_available: line.variant.isAvailable,
      available_quantity: line.variant.isAvailable ? line.variant.stockQuantity : 0,
    })),
    total_items: view.totalItems,
    subtotal: formatMoney(view.subtotal, currency),
    currency,
    updated_at: view.cart.updatedAt.toISOString(),
  };
}
