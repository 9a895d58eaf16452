package org.hotspotbilling.provider;

/**
 * How a Daraja business collects (docs/daraja.md "STK push"): a paybill is pushed with
 * {@code CustomerPayBillOnline} and PartyB = the short code; a till (Buy Goods) with {@code CustomerBuyGoodsOnline},
 * BusinessShortCode = the store (head office) number and PartyB = the till number.
 */
public enum DarajaAccountType {
    paybill,
    till
}
