/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `api_tokens` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `staff_id` bigint(20) unsigned NOT NULL,
  `name` varchar(100) NOT NULL,
  `prefix` varchar(16) NOT NULL,
  `token_hash` varchar(64) NOT NULL,
  `expires_at` datetime(3) DEFAULT NULL,
  `last_used_at` datetime(3) DEFAULT NULL,
  `revoked_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_api_tokens_token_hash` (`token_hash`),
  KEY `idx_api_tokens_staff_id` (`staff_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `bill_disputes` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `household_id` bigint(20) unsigned NOT NULL,
  `bill_id` bigint(20) unsigned NOT NULL,
  `reason` varchar(500) NOT NULL,
  `status` varchar(16) NOT NULL,
  `opened_by` bigint(20) unsigned NOT NULL,
  `opened_at` datetime(3) NOT NULL,
  `resolved_by` bigint(20) unsigned DEFAULT NULL,
  `resolved_at` datetime(3) DEFAULT NULL,
  `corrected_fen` bigint(20) DEFAULT NULL,
  `resolution` varchar(500) DEFAULT NULL,
  `shift_days` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  KEY `idx_bill_disputes_estate_id` (`estate_id`),
  KEY `idx_bill_disputes_household_id` (`household_id`),
  KEY `idx_bill_disputes_bill_id` (`bill_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `billing_runs` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `period` varchar(7) NOT NULL,
  `created` bigint(20) NOT NULL,
  `existing` bigint(20) NOT NULL,
  `no_items` bigint(20) NOT NULL,
  `by` bigint(20) unsigned DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_billing_runs_estate_id` (`estate_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `buildings` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `name` varchar(50) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_building_name` (`estate_id`,`name`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `buildings` VALUES
(1,1,'1栋','2026-03-02 09:00:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `collection_cases` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `household_id` bigint(20) unsigned NOT NULL,
  `case_key` varchar(150) NOT NULL,
  `workflow_id` varchar(64) NOT NULL,
  `stage` varchar(16) NOT NULL,
  `segment` varchar(16) DEFAULT NULL,
  `step_reached` bigint(20) NOT NULL DEFAULT -1,
  `next_step` varchar(32) DEFAULT NULL,
  `next_step_at` datetime(3) DEFAULT NULL,
  `paused_reason` varchar(32) DEFAULT NULL,
  `paused_until` datetime(3) DEFAULT NULL,
  `owed_fen` bigint(20) NOT NULL DEFAULT 0,
  `oldest_due_on` datetime(3) DEFAULT NULL,
  `checked_at` datetime(3) DEFAULT NULL,
  `notice_served_at` datetime(3) DEFAULT NULL,
  `closed_at` datetime(3) DEFAULT NULL,
  `revision` bigint(20) NOT NULL DEFAULT 0,
  `opened_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_collection_cases_key` (`case_key`),
  KEY `idx_collection_cases_estate_id` (`estate_id`),
  KEY `idx_collection_cases_household_id` (`household_id`),
  KEY `idx_collection_cases_stage` (`stage`),
  KEY `idx_collection_cases_next_step_at` (`next_step_at`),
  KEY `idx_collection_cases_oldest_due_on` (`oldest_due_on`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `collection_cases` VALUES
(1,1,1,'collection-1/run-1','collection-1','dunning','',0,'',NULL,'',NULL,30000,'2026-03-10 00:00:00.000',NULL,NULL,NULL,1,'2026-03-02 09:00:00.000','2026-03-02 09:00:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `collection_events` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `case_id` bigint(20) unsigned NOT NULL,
  `estate_id` bigint(20) unsigned NOT NULL,
  `household_id` bigint(20) unsigned NOT NULL,
  `event_key` varchar(150) NOT NULL,
  `type` varchar(32) NOT NULL,
  `actor_id` bigint(20) unsigned DEFAULT NULL,
  `channel` varchar(16) DEFAULT NULL,
  `outcome` varchar(32) DEFAULT NULL,
  `stage` varchar(16) DEFAULT NULL,
  `detail` text DEFAULT NULL,
  `at` datetime(3) NOT NULL,
  `revision` bigint(20) NOT NULL DEFAULT 0,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_collection_events_key` (`event_key`),
  KEY `idx_collection_events_case_id` (`case_id`),
  KEY `idx_collection_events_estate_id` (`estate_id`),
  KEY `idx_collection_events_household_id` (`household_id`),
  KEY `idx_collection_events_at` (`at`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `collection_events` VALUES
(1,1,1,1,'collection-1/step-1','step',NULL,'sms','sent','',NULL,'2026-03-02 09:00:00.000',1,'2026-03-02 09:00:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `collection_tasks` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `case_id` bigint(20) unsigned NOT NULL,
  `estate_id` bigint(20) unsigned NOT NULL,
  `household_id` bigint(20) unsigned NOT NULL,
  `task_key` varchar(150) NOT NULL,
  `action` varchar(16) NOT NULL,
  `role` varchar(32) NOT NULL,
  `assignee_id` bigint(20) unsigned NOT NULL,
  `due_at` datetime(3) NOT NULL,
  `status` varchar(16) NOT NULL,
  `outcome` varchar(24) DEFAULT NULL,
  `note` varchar(1000) DEFAULT NULL,
  `promised_on` datetime(3) DEFAULT NULL,
  `done_by` bigint(20) unsigned DEFAULT NULL,
  `done_at` datetime(3) DEFAULT NULL,
  `escalation_level` bigint(20) NOT NULL DEFAULT 0,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_collection_tasks_key` (`task_key`),
  KEY `idx_collection_tasks_case_id` (`case_id`),
  KEY `idx_collection_tasks_estate_id` (`estate_id`),
  KEY `idx_collection_tasks_household_id` (`household_id`),
  KEY `idx_collection_tasks_assignee_id` (`assignee_id`),
  KEY `idx_collection_tasks_status` (`status`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `demand_letters` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `case_id` bigint(20) unsigned NOT NULL,
  `estate_id` bigint(20) unsigned NOT NULL,
  `household_id` bigint(20) unsigned NOT NULL,
  `letter_key` varchar(150) NOT NULL,
  `served_at` datetime(3) NOT NULL,
  `served_on` datetime(3) NOT NULL,
  `pay_by` datetime(3) NOT NULL,
  `amount_fen` bigint(20) NOT NULL,
  `text` text NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_demand_letters_key` (`letter_key`),
  KEY `idx_demand_letters_case_id` (`case_id`),
  KEY `idx_demand_letters_estate_id` (`estate_id`),
  KEY `idx_demand_letters_household_id` (`household_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `estate_policies` (
  `estate_id` bigint(20) unsigned NOT NULL,
  `version` bigint(20) NOT NULL,
  `policy` text NOT NULL,
  `updated_by` bigint(20) unsigned DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`estate_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `estate_policies` VALUES
(1,1,'{\"repair\":{\"tiers\":[{\"urgency\":\"critical\",\"contact\":\"5m\",\"on_site\":\"10m\",\"on_site_same_day\":false,\"complete\":\"4h\"},{\"urgency\":\"urgent\",\"contact\":\"5m\",\"on_site\":\"15m\",\"on_site_same_day\":false,\"complete\":\"8h\"},{\"urgency\":\"normal\",\"contact\":\"30m\",\"on_site\":\"0s\",\"on_site_same_day\":true,\"complete\":\"3d\"}],\"warn_at_percent\":80,\"confirm_window\":\"3d\",\"return_visit_window\":\"7d\",\"low_score_threshold\":2,\"max_reopens\":3},\"complaint\":{\"acknowledge\":\"30m\",\"answer\":\"1d\",\"resolve\":\"3d\"},\"escalation\":{\"levels\":[{\"level\":1,\"role\":\"supervisor\",\"after\":\"0s\"},{\"level\":2,\"role\":\"estate_manager\",\"after\":\"30m\"},{\"level\":3,\"role\":\"company_admin\",\"after\":\"2h\"}]},\"calendar\":{\"workday_start\":\"08:30\",\"workday_end\":\"17:30\",\"same_day_cutoff\":\"16:00\",\"next_day_by\":\"12:00\",\"workdays\":[1,2,3,4,5,6],\"holidays\":[\"2026-01-01\",\"2026-01-02\",\"2026-01-03\",\"2026-02-15\",\"2026-02-16\",\"2026-02-17\",\"2026-02-18\",\"2026-02-19\",\"2026-02-20\",\"2026-02-21\",\"2026-02-22\",\"2026-02-23\",\"2026-04-04\",\"2026-04-05\",\"2026-04-06\",\"2026-05-01\",\"2026-05-02\",\"2026-05-03\",\"2026-05-04\",\"2026-05-05\",\"2026-06-19\",\"2026-06-20\",\"2026-06-21\",\"2026-09-25\",\"2026-09-26\",\"2026-09-27\",\"2026-10-01\",\"2026-10-02\",\"2026-10-03\",\"2026-10-04\",\"2026-10-05\",\"2026-10-06\",\"2026-10-07\"],\"extra_workdays\":[\"2026-01-04\",\"2026-02-14\",\"2026-02-28\",\"2026-05-09\",\"2026-09-20\",\"2026-10-10\"]},\"fees\":{\"due_day\":10,\"late_fee_per_mille\":3,\"late_fee_cap_percent\":100,\"grace_days\":0,\"dispute_before_due_days\":5,\"reminder_days_before\":[7],\"allocation\":\"principal_first\",\"auto_billing\":true,\"billing_day\":1},\"dunning\":{\"steps\":[{\"after\":\"1d\",\"action\":\"message\",\"channel\":\"sms\",\"template\":\"payment_overdue_polite\"},{\"after\":\"15d\",\"action\":\"message\",\"channel\":\"wechat\",\"template\":\"payment_overdue_second\"},{\"after\":\"30d\",\"action\":\"phone_call\",\"channel\":\"phone\",\"role\":\"customer_service\"},{\"after\":\"60d\",\"action\":\"visit\",\"channel\":\"visit\",\"role\":\"estate_manager\"},{\"after\":\"90d\",\"action\":\"formal_notice\",\"channel\":\"letter\",\"role\":\"finance\"},{\"after\":\"180d\",\"action\":\"legal_referral\",\"role\":\"legal\"}],\"good_payer_polite_for\":\"60d\",\"large_arrears_fen\":300000,\"repeat_late_count\":2,\"repeat_late_window_months\":12,\"fast_track_percent\":50,\"task_due\":\"3d\",\"instalment_grace\":\"5d\",\"legal_decision_reminder\":\"3d\",\"formal_notice_period\":\"30d\"},\"follow_up\":{\"window\":\"30d\",\"reminder_at\":[\"21d\",\"28d\"],\"max_attempts\":3,\"assign_registrar\":true},\"quiet_hours\":{\"start\":\"21:30\",\"end\":\"08:00\"}}',NULL,'2026-03-02 09:00:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `estates` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `code` varchar(32) NOT NULL,
  `name` varchar(100) NOT NULL,
  `address` varchar(255) DEFAULT NULL,
  `time_zone` varchar(64) NOT NULL,
  `service_phone` varchar(32) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_estates_code` (`code`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `estates` VALUES
(1,'SUN','阳光花园','','Asia/Shanghai','','2026-03-02 09:00:00.000','2026-03-02 09:00:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `fee_items` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `household_id` bigint(20) unsigned NOT NULL,
  `name` varchar(50) NOT NULL,
  `amount_fen` bigint(20) NOT NULL,
  `active` tinyint(1) NOT NULL DEFAULT 1,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_fee_items_estate_id` (`estate_id`),
  KEY `idx_fee_items_household_id` (`household_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `fee_payments` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `household_id` bigint(20) unsigned NOT NULL,
  `amount_fen` bigint(20) NOT NULL,
  `paid_at` datetime(3) NOT NULL,
  `paid_on` datetime(3) NOT NULL,
  `channel` varchar(16) NOT NULL,
  `reference` varchar(100) NOT NULL,
  `recorded_by` bigint(20) unsigned NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_payment_ref` (`estate_id`,`reference`),
  KEY `idx_fee_payments_household_id` (`household_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `follow_up_events` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `follow_up_id` bigint(20) unsigned NOT NULL,
  `estate_id` bigint(20) unsigned NOT NULL,
  `event_key` varchar(150) NOT NULL,
  `type` varchar(32) NOT NULL,
  `actor_id` bigint(20) unsigned DEFAULT NULL,
  `from_status` varchar(16) DEFAULT NULL,
  `to_status` varchar(16) DEFAULT NULL,
  `detail` text DEFAULT NULL,
  `at` datetime(3) NOT NULL,
  `revision` bigint(20) NOT NULL DEFAULT 0,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_follow_up_events_key` (`event_key`),
  KEY `idx_follow_up_events_follow_up_id` (`follow_up_id`),
  KEY `idx_follow_up_events_estate_id` (`estate_id`),
  KEY `idx_follow_up_events_at` (`at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `follow_ups` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `move_in_id` bigint(20) unsigned NOT NULL,
  `household_id` bigint(20) unsigned NOT NULL,
  `resident_id` bigint(20) unsigned NOT NULL,
  `registered_by` bigint(20) unsigned NOT NULL,
  `moved_in_at` datetime(3) NOT NULL,
  `status` varchar(16) NOT NULL,
  `assignee_id` bigint(20) unsigned DEFAULT NULL,
  `due_at` datetime(3) NOT NULL,
  `scheduled_at` datetime(3) DEFAULT NULL,
  `attempts` text DEFAULT NULL,
  `escalation_level` bigint(20) NOT NULL DEFAULT 0,
  `visit` text DEFAULT NULL,
  `ticket_ids` text DEFAULT NULL,
  `open_tickets` bigint(20) NOT NULL DEFAULT 0,
  `summary` varchar(500) DEFAULT NULL,
  `cancel_reason` varchar(200) DEFAULT NULL,
  `closed_at` datetime(3) DEFAULT NULL,
  `revision` bigint(20) NOT NULL DEFAULT 0,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_follow_ups_move_in_id` (`move_in_id`),
  KEY `idx_follow_ups_estate_id` (`estate_id`),
  KEY `idx_follow_ups_household_id` (`household_id`),
  KEY `idx_follow_ups_resident_id` (`resident_id`),
  KEY `idx_follow_ups_status` (`status`),
  KEY `idx_follow_ups_assignee_id` (`assignee_id`),
  KEY `idx_follow_ups_due_at` (`due_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `household_bills` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `household_id` bigint(20) unsigned NOT NULL,
  `period` varchar(7) NOT NULL,
  `amount_fen` bigint(20) NOT NULL,
  `due_on` datetime(3) NOT NULL,
  `original_due_on` datetime(3) NOT NULL,
  `waived_fen` bigint(20) NOT NULL DEFAULT 0,
  `disputed` tinyint(1) NOT NULL DEFAULT 0,
  `run_id` bigint(20) unsigned DEFAULT NULL,
  `issued_by` bigint(20) unsigned DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_bill_period` (`household_id`,`period`),
  KEY `idx_household_bills_estate_id` (`estate_id`),
  KEY `idx_household_bills_period` (`period`),
  KEY `idx_household_bills_run_id` (`run_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `household_bills` VALUES
(1,1,1,'2026-02',30000,'2026-03-10 00:00:00.000','2026-03-10 00:00:00.000',0,0,NULL,NULL,'2026-03-02 09:00:00.000','2026-03-02 09:00:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `households` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `unit_id` bigint(20) unsigned NOT NULL,
  `status` varchar(16) NOT NULL DEFAULT 'active',
  `moved_in_on` datetime(3) DEFAULT NULL,
  `moved_out` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_households_estate_id` (`estate_id`),
  KEY `idx_households_unit_id` (`unit_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `households` VALUES
(1,1,1,'active',NULL,NULL,'2026-03-02 09:00:00.000','2026-03-02 09:00:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `instalment_plans` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `household_id` bigint(20) unsigned NOT NULL,
  `reason` varchar(500) NOT NULL,
  `instalments` text NOT NULL,
  `status` varchar(16) NOT NULL,
  `proposed_by` bigint(20) unsigned NOT NULL,
  `approved_by` bigint(20) unsigned DEFAULT NULL,
  `approved_at` datetime(3) DEFAULT NULL,
  `ended_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_instalment_plans_estate_id` (`estate_id`),
  KEY `idx_instalment_plans_household_id` (`household_id`),
  KEY `idx_instalment_plans_status` (`status`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `late_fee_waivers` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `bill_id` bigint(20) unsigned NOT NULL,
  `amount_fen` bigint(20) NOT NULL,
  `reason` varchar(500) NOT NULL,
  `by` bigint(20) unsigned NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_late_fee_waivers_estate_id` (`estate_id`),
  KEY `idx_late_fee_waivers_bill_id` (`bill_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `message_attempts` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `message_id` bigint(20) unsigned NOT NULL,
  `attempt` bigint(20) NOT NULL,
  `at` datetime(3) NOT NULL,
  `ok` tinyint(1) NOT NULL,
  `error` varchar(255) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_message_attempt` (`message_id`,`attempt`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `messages` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `message_key` varchar(191) NOT NULL,
  `estate_id` bigint(20) unsigned NOT NULL,
  `recipient_kind` varchar(16) NOT NULL,
  `recipient_id` bigint(20) unsigned NOT NULL,
  `channel` varchar(16) NOT NULL,
  `address` varchar(254) NOT NULL,
  `template` varchar(64) NOT NULL,
  `subject` varchar(200) NOT NULL,
  `body` text NOT NULL,
  `ref` varchar(64) NOT NULL,
  `status` varchar(16) NOT NULL DEFAULT 'pending',
  `attempts` bigint(20) NOT NULL DEFAULT 0,
  `last_error` varchar(255) NOT NULL DEFAULT '',
  `sent_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_messages_key` (`message_key`),
  KEY `idx_messages_estate_id` (`estate_id`),
  KEY `idx_message_recipient` (`recipient_kind`,`recipient_id`),
  KEY `idx_messages_ref` (`ref`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `move_ins` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `household_id` bigint(20) unsigned NOT NULL,
  `moved_in_at` datetime(3) NOT NULL,
  `registered_by` bigint(20) unsigned NOT NULL,
  `resident_ids` text DEFAULT NULL,
  `needs` text DEFAULT NULL,
  `idempotency_key` varchar(100) DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_move_ins_idempotency_key` (`idempotency_key`),
  KEY `idx_move_ins_estate_id` (`estate_id`),
  KEY `idx_move_ins_household_id` (`household_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `policy_changes` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `version` bigint(20) NOT NULL,
  `changed_by` bigint(20) unsigned DEFAULT NULL,
  `policy` text NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_policy_version` (`estate_id`,`version`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `policy_changes` VALUES
(1,1,1,NULL,'{\"repair\":{\"tiers\":[{\"urgency\":\"critical\",\"contact\":\"5m\",\"on_site\":\"10m\",\"on_site_same_day\":false,\"complete\":\"4h\"},{\"urgency\":\"urgent\",\"contact\":\"5m\",\"on_site\":\"15m\",\"on_site_same_day\":false,\"complete\":\"8h\"},{\"urgency\":\"normal\",\"contact\":\"30m\",\"on_site\":\"0s\",\"on_site_same_day\":true,\"complete\":\"3d\"}],\"warn_at_percent\":80,\"confirm_window\":\"3d\",\"return_visit_window\":\"7d\",\"low_score_threshold\":2,\"max_reopens\":3},\"complaint\":{\"acknowledge\":\"30m\",\"answer\":\"1d\",\"resolve\":\"3d\"},\"escalation\":{\"levels\":[{\"level\":1,\"role\":\"supervisor\",\"after\":\"0s\"},{\"level\":2,\"role\":\"estate_manager\",\"after\":\"30m\"},{\"level\":3,\"role\":\"company_admin\",\"after\":\"2h\"}]},\"calendar\":{\"workday_start\":\"08:30\",\"workday_end\":\"17:30\",\"same_day_cutoff\":\"16:00\",\"next_day_by\":\"12:00\",\"workdays\":[1,2,3,4,5,6],\"holidays\":[\"2026-01-01\",\"2026-01-02\",\"2026-01-03\",\"2026-02-15\",\"2026-02-16\",\"2026-02-17\",\"2026-02-18\",\"2026-02-19\",\"2026-02-20\",\"2026-02-21\",\"2026-02-22\",\"2026-02-23\",\"2026-04-04\",\"2026-04-05\",\"2026-04-06\",\"2026-05-01\",\"2026-05-02\",\"2026-05-03\",\"2026-05-04\",\"2026-05-05\",\"2026-06-19\",\"2026-06-20\",\"2026-06-21\",\"2026-09-25\",\"2026-09-26\",\"2026-09-27\",\"2026-10-01\",\"2026-10-02\",\"2026-10-03\",\"2026-10-04\",\"2026-10-05\",\"2026-10-06\",\"2026-10-07\"],\"extra_workdays\":[\"2026-01-04\",\"2026-02-14\",\"2026-02-28\",\"2026-05-09\",\"2026-09-20\",\"2026-10-10\"]},\"fees\":{\"due_day\":10,\"late_fee_per_mille\":3,\"late_fee_cap_percent\":100,\"grace_days\":0,\"dispute_before_due_days\":5,\"reminder_days_before\":[7],\"allocation\":\"principal_first\",\"auto_billing\":true,\"billing_day\":1},\"dunning\":{\"steps\":[{\"after\":\"1d\",\"action\":\"message\",\"channel\":\"sms\",\"template\":\"payment_overdue_polite\"},{\"after\":\"15d\",\"action\":\"message\",\"channel\":\"wechat\",\"template\":\"payment_overdue_second\"},{\"after\":\"30d\",\"action\":\"phone_call\",\"channel\":\"phone\",\"role\":\"customer_service\"},{\"after\":\"60d\",\"action\":\"visit\",\"channel\":\"visit\",\"role\":\"estate_manager\"},{\"after\":\"90d\",\"action\":\"formal_notice\",\"channel\":\"letter\",\"role\":\"finance\"},{\"after\":\"180d\",\"action\":\"legal_referral\",\"role\":\"legal\"}],\"good_payer_polite_for\":\"60d\",\"large_arrears_fen\":300000,\"repeat_late_count\":2,\"repeat_late_window_months\":12,\"fast_track_percent\":50,\"task_due\":\"3d\",\"instalment_grace\":\"5d\",\"legal_decision_reminder\":\"3d\",\"formal_notice_period\":\"30d\"},\"follow_up\":{\"window\":\"30d\",\"reminder_at\":[\"21d\",\"28d\"],\"max_attempts\":3,\"assign_registrar\":true},\"quiet_hours\":{\"start\":\"21:30\",\"end\":\"08:00\"}}','2026-03-02 09:00:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `residents` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `household_id` bigint(20) unsigned NOT NULL,
  `name` varchar(50) NOT NULL,
  `phone` varchar(20) NOT NULL,
  `role` varchar(16) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_residents_estate_id` (`estate_id`),
  KEY `idx_residents_household_id` (`household_id`),
  KEY `idx_residents_phone` (`phone`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `residents` VALUES
(1,1,1,'张三','13812345678','owner','2026-03-02 09:00:00.000','2026-03-02 09:00:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `sessions` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `token_hash` varchar(64) NOT NULL,
  `staff_id` bigint(20) unsigned NOT NULL,
  `expires_at` datetime(3) NOT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  `last_seen_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_sessions_token_hash` (`token_hash`),
  KEY `idx_sessions_staff_id` (`staff_id`),
  KEY `idx_sessions_expires_at` (`expires_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `staffs` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned DEFAULT NULL,
  `username` varchar(64) NOT NULL,
  `name` varchar(50) NOT NULL,
  `phone` varchar(20) DEFAULT NULL,
  `role` varchar(32) NOT NULL,
  `password_hash` varchar(100) NOT NULL,
  `active` tinyint(1) NOT NULL DEFAULT 1,
  `must_change_password` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_staffs_username` (`username`),
  KEY `idx_staffs_estate_id` (`estate_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `staffs` VALUES
(1,1,'cs1','客服1','','customer_service','x',1,0,'2026-03-02 09:00:00.000','2026-03-02 09:00:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `ticket_events` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `ticket_id` bigint(20) unsigned NOT NULL,
  `estate_id` bigint(20) unsigned NOT NULL,
  `event_key` varchar(150) NOT NULL,
  `type` varchar(32) NOT NULL,
  `actor_id` bigint(20) unsigned DEFAULT NULL,
  `from_status` varchar(16) DEFAULT NULL,
  `to_status` varchar(16) DEFAULT NULL,
  `detail` text DEFAULT NULL,
  `at` datetime(3) NOT NULL,
  `revision` bigint(20) NOT NULL DEFAULT 0,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_ticket_events_key` (`event_key`),
  KEY `idx_ticket_events_ticket_id` (`ticket_id`),
  KEY `idx_ticket_events_estate_id` (`estate_id`),
  KEY `idx_ticket_events_at` (`at`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `ticket_events` VALUES
(1,1,1,'ticket-1/assign','assign',1,'new','assigned','{\"assignee\":\"cs1\"}','2026-03-02 09:00:00.000',1,'2026-03-02 09:00:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `tickets` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `kind` varchar(16) NOT NULL,
  `urgency` varchar(16) NOT NULL,
  `category` varchar(50) NOT NULL,
  `description` text NOT NULL,
  `household_id` bigint(20) unsigned DEFAULT NULL,
  `location` varchar(200) DEFAULT NULL,
  `resident_id` bigint(20) unsigned DEFAULT NULL,
  `channel` varchar(16) NOT NULL,
  `appointment` datetime(3) DEFAULT NULL,
  `reported_at` datetime(3) NOT NULL,
  `first_receiver_id` bigint(20) unsigned NOT NULL,
  `parent_ticket_id` bigint(20) unsigned DEFAULT NULL,
  `idempotency_key` varchar(100) DEFAULT NULL,
  `status` varchar(16) NOT NULL,
  `assignee_id` bigint(20) unsigned DEFAULT NULL,
  `escalation_level` bigint(20) NOT NULL DEFAULT 0,
  `next_due_at` datetime(3) DEFAULT NULL,
  `next_due_kind` varchar(16) DEFAULT NULL,
  `warn_at` datetime(3) DEFAULT NULL,
  `deadlines` text DEFAULT NULL,
  `held_seconds` bigint(20) NOT NULL DEFAULT 0,
  `hold_reason` varchar(24) DEFAULT NULL,
  `on_hold_since` datetime(3) DEFAULT NULL,
  `reopen_count` bigint(20) NOT NULL DEFAULT 0,
  `charge_fen` bigint(20) NOT NULL DEFAULT 0,
  `score` bigint(20) DEFAULT NULL,
  `closed_at` datetime(3) DEFAULT NULL,
  `follow_up_id` bigint(20) unsigned DEFAULT NULL,
  `revision` bigint(20) NOT NULL DEFAULT 0,
  `created_at` datetime(3) DEFAULT NULL,
  `updated_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_tickets_idempotency_key` (`idempotency_key`),
  KEY `idx_tickets_estate_id` (`estate_id`),
  KEY `idx_ticket_open` (`estate_id`,`status`,`urgency`,`next_due_at`,`warn_at`),
  KEY `idx_ticket_closed` (`estate_id`,`closed_at`),
  KEY `idx_tickets_kind` (`kind`),
  KEY `idx_tickets_urgency` (`urgency`),
  KEY `idx_tickets_household_id` (`household_id`),
  KEY `idx_tickets_resident_id` (`resident_id`),
  KEY `idx_tickets_first_receiver_id` (`first_receiver_id`),
  KEY `idx_tickets_parent_ticket_id` (`parent_ticket_id`),
  KEY `idx_tickets_status` (`status`),
  KEY `idx_tickets_assignee_id` (`assignee_id`),
  KEY `idx_tickets_next_due_at` (`next_due_at`),
  KEY `idx_tickets_warn_at` (`warn_at`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `tickets` VALUES
(1,1,'repair','urgent','水电','厨房漏水',1,'',1,'phone',NULL,'2026-03-02 09:00:00.000',1,NULL,'req-1','assigned',1,0,NULL,'',NULL,NULL,0,'',NULL,0,0,NULL,NULL,NULL,1,'2026-03-02 09:00:00.000','2026-03-02 09:00:00.000');
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `units` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `estate_id` bigint(20) unsigned NOT NULL,
  `building_id` bigint(20) unsigned NOT NULL,
  `number` varchar(20) NOT NULL,
  `floor` bigint(20) DEFAULT NULL,
  `area_m2` double DEFAULT NULL,
  `created_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_unit_number` (`building_id`,`number`),
  KEY `idx_units_estate_id` (`estate_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
INSERT INTO `units` VALUES
(1,1,1,'2-502',5,89.35,'2026-03-02 09:00:00.000');
