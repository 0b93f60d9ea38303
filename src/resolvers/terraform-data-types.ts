// Terraform resource types whose destruction loses stored data (rows, objects, disks, keys), called out in the panel.
// Kept as data: exact type names, plus a few patterns for providers that name many variants alike.

/** Exact resource types that hold data. */
export const DATA_HOLDING_TYPES: ReadonlySet<string> = new Set([
  // AWS
  'aws_db_instance', 'aws_rds_cluster', 'aws_rds_global_cluster', 'aws_db_snapshot', 'aws_db_cluster_snapshot',
  'aws_docdb_cluster', 'aws_docdbelastic_cluster', 'aws_neptune_cluster', 'aws_redshift_cluster',
  'aws_redshiftserverless_namespace', 'aws_dynamodb_table', 'aws_dynamodb_global_table', 'aws_keyspaces_table',
  'aws_timestreamwrite_table', 'aws_qldb_ledger', 'aws_elasticache_cluster', 'aws_elasticache_replication_group',
  'aws_elasticache_serverless_cache', 'aws_memorydb_cluster', 'aws_opensearch_domain', 'aws_elasticsearch_domain',
  'aws_s3_bucket', 'aws_s3_object', 'aws_s3_directory_bucket', 'aws_s3tables_table_bucket', 'aws_ebs_volume',
  'aws_ebs_snapshot', 'aws_efs_file_system', 'aws_fsx_lustre_file_system', 'aws_fsx_windows_file_system',
  'aws_fsx_ontap_file_system', 'aws_fsx_openzfs_file_system', 'aws_backup_vault', 'aws_glacier_vault',
  'aws_kinesis_stream', 'aws_msk_cluster', 'aws_mq_broker', 'aws_sqs_queue', 'aws_ecr_repository',
  'aws_secretsmanager_secret', 'aws_kms_key', 'aws_cloudwatch_log_group', 'aws_lightsail_database', 'aws_lightsail_disk',
  // Google Cloud
  'google_sql_database_instance', 'google_sql_database', 'google_storage_bucket', 'google_storage_bucket_object',
  'google_compute_disk', 'google_compute_region_disk', 'google_compute_snapshot', 'google_compute_image',
  'google_bigquery_dataset', 'google_bigquery_table', 'google_spanner_instance', 'google_spanner_database',
  'google_bigtable_instance', 'google_bigtable_table', 'google_firestore_database', 'google_filestore_instance',
  'google_redis_instance', 'google_alloydb_cluster', 'google_kms_crypto_key', 'google_secret_manager_secret',
  'google_artifact_registry_repository', 'google_pubsub_subscription',
  // Azure (databases and storage; most SQL variants are matched by pattern below)
  'azurerm_storage_account', 'azurerm_storage_container', 'azurerm_storage_blob', 'azurerm_storage_share',
  'azurerm_storage_table', 'azurerm_storage_queue', 'azurerm_managed_disk', 'azurerm_snapshot',
  'azurerm_cosmosdb_account', 'azurerm_redis_cache', 'azurerm_key_vault', 'azurerm_recovery_services_vault',
  'azurerm_data_protection_backup_vault', 'azurerm_data_lake_store', 'azurerm_eventhub_namespace',
  'azurerm_servicebus_namespace', 'azurerm_container_registry',
  // Kubernetes (a namespace takes every claim in it)
  'kubernetes_persistent_volume', 'kubernetes_persistent_volume_v1', 'kubernetes_persistent_volume_claim',
  'kubernetes_persistent_volume_claim_v1', 'kubernetes_namespace', 'kubernetes_namespace_v1', 'kubernetes_secret',
  'kubernetes_secret_v1',
  // Platforms
  'railway_volume', 'digitalocean_database_cluster', 'digitalocean_volume', 'digitalocean_spaces_bucket',
  'heroku_addon', 'neon_project', 'neon_branch', 'neon_database', 'supabase_project', 'planetscale_database',
  'planetscale_branch', 'mongodbatlas_cluster', 'mongodbatlas_advanced_cluster', 'mongodbatlas_serverless_instance',
  'mongodbatlas_flex_cluster', 'cloudflare_r2_bucket', 'cloudflare_d1_database', 'cloudflare_workers_kv_namespace',
  'hcloud_volume', 'linode_volume', 'vultr_block_storage', 'scaleway_rdb_instance', 'ovh_cloud_project_database',
  'upstash_redis_database', 'aiven_pg', 'aiven_mysql', 'aiven_kafka', 'aiven_opensearch', 'aiven_redis',
  // Databases managed directly
  'postgresql_database', 'postgresql_schema', 'mysql_database', 'snowflake_database', 'snowflake_schema',
  'snowflake_table', 'vault_mount',
]);

/** Families named alike: every database/server of Azure's SQL services, Cosmos DB containers, Linode databases. */
export const DATA_HOLDING_PATTERNS: readonly RegExp[] = [
  /^azurerm_(mssql|sql|postgresql|mysql|mariadb)(_flexible)?_(server|database|managed_instance|managed_database)$/,
  /^azurerm_cosmosdb_\w+_(database|container|keyspace|table|graph|collection)$/,
  /^linode_database_\w+$/,
];

/** Why: the panel names the resources whose loss is data loss, not just downtime. */
export const holdsData = (resourceType: string): boolean =>
  DATA_HOLDING_TYPES.has(resourceType) || DATA_HOLDING_PATTERNS.some((p) => p.test(resourceType));
