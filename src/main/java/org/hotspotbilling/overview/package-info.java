/**
 * The owner's overview: one screen of numbers for a time range ({@code GET /payments/overview/}, docs/overview.md).
 * A read model: it reads the payment, access, router and credential tables in SQL and writes nothing. The daily
 * rollups it reads (overview_payment_day, overview_completion_day, overview_callback_day) are kept by database
 * triggers in the transaction of each payment change or callback (migration V195), not by this package.
 */
package org.hotspotbilling.overview;
