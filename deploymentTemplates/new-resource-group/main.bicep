// The order support bot in a NEW resource group: creates the group, then deploys
// ../existing-resource-group/main.bicep into it. Every parameter is passed through unchanged.
//
// Deploy:   az deployment sub create -l <region> -f main.bicep -p @main.parameters.json -p mongoAdminPassword=...
// main.json beside this file is the ARM JSON equivalent of this file (see ../README.md).

targetScope = 'subscription'

metadata description = 'Order support bot in a new resource group: creates the group, then deploys ../existing-resource-group/main.bicep into it.'

@description('Name of the resource group to create.')
@minLength(1)
@maxLength(90)
param resourceGroupName string

@description('Short lowercase name every resource name is derived from (letters, digits, hyphens).')
@minLength(3)
@maxLength(20)
param appName string

@description('Region of the resource group and of every regional resource. The Azure Bot resource itself is global.')
param location string = deployment().location

@description('Tags put on every resource.')
param tags object = {
  app: 'order-support-bot'
}

@description('Bot identity. UserAssignedMSI: the managed identity this template creates (no secret to rotate). SingleTenant: your Entra ID app registration (microsoftAppId, microsoftAppPassword, microsoftAppTenantId). MultiTenant: only to keep an existing multi-tenant bot working; Azure no longer creates multi-tenant bots, so the template then creates no Azure Bot resource: point your existing one at the messagingEndpoint output.')
@allowed([
  'UserAssignedMSI'
  'SingleTenant'
  'MultiTenant'
])
param botAppType string = 'UserAssignedMSI'

@description('SingleTenant and MultiTenant: the application (client) id of the app registration.')
param microsoftAppId string = ''

@description('SingleTenant and MultiTenant: a client secret of the app registration. Stored in Key Vault.')
@secure()
param microsoftAppPassword string = ''

@description('SingleTenant only: the directory (tenant) id of the app registration. Empty: the tenant of this deployment.')
param microsoftAppTenantId string = ''

@description('Azure Bot pricing tier: F0 (free, standard channels) or S1.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

@description('Connect the bot to Microsoft Teams.')
param enableTeamsChannel bool = true

@description('Serve the Web Chat page and the bot\'s own Direct Line endpoint (DIRECTLINE_ENABLED).')
param enableWebChat bool = true

@description('Secret of the bot\'s own Direct Line endpoint, at least 32 characters (openssl rand -base64 32). Required while enableWebChat is true, unless Azure Direct Line is used. Stored in Key Vault.')
@secure()
param directLineSecret string = ''

@description('Origins allowed to embed the Web Chat page (WEBCHAT_ALLOWED_ORIGINS), comma-separated; empty allows any.')
param webChatAllowedOrigins string = ''

@description('Also create the Azure Direct Line channel. Web Chat switches to it once directLineAzureSecret is set (see README).')
param enableDirectLineChannel bool = false

@description('Secret of a site of the Azure Direct Line channel (DIRECTLINE_AZURE_SECRET). Empty: Web Chat uses the bot\'s own endpoint. Stored in Key Vault.')
@secure()
param directLineAzureSecret string = ''

@description('App Service plan SKU (Linux). B1 for trials; P0v3 or larger for production.')
param appServicePlanSku string = 'P0v3'

@description('Number of App Service instances.')
@minValue(1)
@maxValue(10)
param appServiceInstanceCount int = 1

@description('App Service runtime stack: Node.js 24 LTS, or 22 LTS (package.json "engines").')
@allowed([
  'NODE|24-lts'
  'NODE|22-lts'
])
param linuxFxVersion string = 'NODE|24-lts'

@description('Where conversation state lives: a new Cosmos DB for MongoDB (vCore) cluster, or an existing MongoDB / Atlas cluster given by existingMongoConnectionString.')
@allowed([
  'cosmosVCore'
  'existing'
])
param mongoMode string = 'cosmosVCore'

@description('mongoMode existing: the connection string, with TLS (mongodb+srv://, or mongodb:// with tls=true). Stored in Key Vault.')
@secure()
param existingMongoConnectionString string = ''

@description('Database the bot uses (MONGODB_DB).')
param mongoDatabaseName string = 'support_bot'

@description('mongoMode cosmosVCore: administrator user of the new cluster.')
param mongoAdminUserName string = 'botadmin'

@description('mongoMode cosmosVCore: administrator password of the new cluster (8-256 characters, three of: upper case, lower case, digit, symbol).')
@secure()
param mongoAdminPassword string = ''

@description('mongoMode cosmosVCore: compute tier (Free is one cluster per subscription, M10/M20 are burstable).')
@allowed([
  'Free'
  'M10'
  'M20'
  'M25'
  'M30'
  'M40'
  'M50'
  'M60'
  'M80'
])
param mongoComputeTier string = 'M10'

@description('mongoMode cosmosVCore: disk size in GiB.')
@minValue(32)
param mongoStorageSizeGb int = 32

@description('mongoMode cosmosVCore: high availability (a standby in the same or another zone).')
@allowed([
  'Disabled'
  'SameZone'
  'ZoneRedundantPreferred'
])
param mongoHighAvailability string = 'Disabled'

@description('Base URL of your orders API (ORDERS_API_URL). Empty: the sample order file shipped with the app.')
param ordersApiUrl string = ''

@description('Bearer token for the orders API (ORDERS_API_KEY). Stored in Key Vault.')
@secure()
param ordersApiKey string = ''

@description('Slack Bot User OAuth Token, xoxb-... (SLACK_BOT_TOKEN). Empty: no Slack channel. Stored in Key Vault.')
@secure()
param slackBotToken string = ''

@description('Slack signing secret (SLACK_SIGNING_SECRET); Slack posts events to https://<app>/api/slack/events. Stored in Key Vault.')
@secure()
param slackSigningSecret string = ''

@description('Slack channel id (C...) where agents take over conversations (SLACK_HANDOFF_CHANNEL). Empty: no agent desk.')
param slackHandoffChannel string = ''

@description('Agents\' opening hours, e.g. "Mon-Fri 09:00-17:00" (HANDOFF_BUSINESS_HOURS). Empty: always open.')
param handoffBusinessHours string = ''

@description('IANA time zone of the opening hours, e.g. Europe/Berlin (HANDOFF_TIME_ZONE).')
param handoffTimeZone string = 'UTC'

@description('Days transcripts are kept in MongoDB; 0 keeps them forever (TRANSCRIPT_RETENTION_DAYS).')
@minValue(0)
param transcriptRetentionDays int = 30

@description('Key for hashing user ids in transcripts (TRANSCRIPT_USER_ID_HASH_SECRET). Empty: ids are stored as they are. Stored in Key Vault.')
@secure()
param transcriptUserIdHashSecret string = ''

@description('Log level of the bot (LOG_LEVEL).')
@allowed([
  'trace'
  'debug'
  'info'
  'warn'
  'error'
  'fatal'
])
param logLevel string = 'info'

@description('Days the Log Analytics workspace keeps logs and Application Insights telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Turn on Key Vault purge protection (recommended in production; a purged vault name is then reserved for the retention period).')
param keyVaultPurgeProtection bool = true

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

module app '../existing-resource-group/main.bicep' = {
  name: 'order-support-bot-app'
  scope: rg
  params: {
    appName: appName
    location: location
    tags: tags
    botAppType: botAppType
    microsoftAppId: microsoftAppId
    microsoftAppPassword: microsoftAppPassword
    microsoftAppTenantId: microsoftAppTenantId
    botSku: botSku
    enableTeamsChannel: enableTeamsChannel
    enableWebChat: enableWebChat
    directLineSecret: directLineSecret
    webChatAllowedOrigins: webChatAllowedOrigins
    enableDirectLineChannel: enableDirectLineChannel
    directLineAzureSecret: directLineAzureSecret
    appServicePlanSku: appServicePlanSku
    appServiceInstanceCount: appServiceInstanceCount
    linuxFxVersion: linuxFxVersion
    mongoMode: mongoMode
    existingMongoConnectionString: existingMongoConnectionString
    mongoDatabaseName: mongoDatabaseName
    mongoAdminUserName: mongoAdminUserName
    mongoAdminPassword: mongoAdminPassword
    mongoComputeTier: mongoComputeTier
    mongoStorageSizeGb: mongoStorageSizeGb
    mongoHighAvailability: mongoHighAvailability
    ordersApiUrl: ordersApiUrl
    ordersApiKey: ordersApiKey
    slackBotToken: slackBotToken
    slackSigningSecret: slackSigningSecret
    slackHandoffChannel: slackHandoffChannel
    handoffBusinessHours: handoffBusinessHours
    handoffTimeZone: handoffTimeZone
    transcriptRetentionDays: transcriptRetentionDays
    transcriptUserIdHashSecret: transcriptUserIdHashSecret
    logLevel: logLevel
    logRetentionDays: logRetentionDays
    keyVaultPurgeProtection: keyVaultPurgeProtection
  }
}

output resourceGroupName string = rg.name
output webAppName string = app.outputs.webAppName
output webAppUrl string = app.outputs.webAppUrl
output messagingEndpoint string = app.outputs.messagingEndpoint
output botName string = app.outputs.botName
output keyVaultName string = app.outputs.keyVaultName
output managedIdentityClientId string = app.outputs.managedIdentityClientId
output appInsightsName string = app.outputs.appInsightsName
output mongoClusterName string = app.outputs.mongoClusterName
