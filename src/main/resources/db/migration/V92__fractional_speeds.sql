-- Speeds in Mbps with up to three decimals (1.5 Mbps, 0.512 Mbps): RouterOS takes whole kbit/s ("1500k").
ALTER TABLE plan
    ALTER COLUMN download_speed_mbps TYPE NUMERIC(9, 3),
    ALTER COLUMN upload_speed_mbps TYPE NUMERIC(9, 3);
ALTER TABLE payment
    ALTER COLUMN download_speed_mbps TYPE NUMERIC(9, 3),
    ALTER COLUMN upload_speed_mbps TYPE NUMERIC(9, 3);
