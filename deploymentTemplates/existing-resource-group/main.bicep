// The order support bot in one resource group: App Service (Linux, Node), Azure Bot, MongoDB
// (Cosmos DB for MongoDB vCore, or your own connection string), Key Vault, Application Insights.
//
// Deploy:   az deployment group create -g <group> -f main.bicep -p @main.parameters.json -p mongoAdminPassword=...
// main.json beside this file is the ARM JSON equivalent of this file (see ../README.md).

metadata description = 'Order support bot on Azure App Service with Azure Bot, MongoDB, Key Vault and Application Insights, in an existing resource group.'

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

@description('Short lowercase name every resource name is derived from (letters, digits, hyphens).')
@minLength(3)
@maxLength(20)
param appName string

@description('Region of every regional resource. The Azure Bot resource itself is global.')
param location string = resourceGroup().location

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

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

var baseName = toLower(appName)
var suffix = take(uniqueString(resourceGroup().id, appName), 6)
var identityName = 'id-${baseName}-${suffix}'
var workspaceName = 'log-${baseName}-${suffix}'
var appInsightsName = 'appi-${baseName}-${suffix}'
var keyVaultName = 'kv${take(replace(baseName, '-', ''), 14)}${suffix}'
var mongoClusterName = 'mongo-${baseName}-${suffix}'
var planName = 'asp-${baseName}-${suffix}'
var webAppName = '${baseName}-${suffix}'
var botName = 'bot-${baseName}-${suffix}'
var useCosmos = mongoMode == 'cosmosVCore'
var useMsi = botAppType == 'UserAssignedMSI'
// Azure no longer creates multi-tenant bots: with MultiTenant the existing Azure Bot is left as it is.
var createBot = botAppType != 'MultiTenant'
var useAppPassword = !useMsi && !empty(microsoftAppPassword)
// A multi-tenant bot has no home tenant (MicrosoftAppTenantId stays empty); a managed identity
// lives in the deployment's tenant; an app registration in the given one, by default the same.
var appTenantId = botAppType == 'MultiTenant' ? '' : (useMsi || empty(microsoftAppTenantId) ? tenant().tenantId : microsoftAppTenantId)
// Built-in role "Key Vault Secrets User": read secret values, nothing else.
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

// ---------------------------------------------------------------------------------------------
// Identity, monitoring, secrets
// ---------------------------------------------------------------------------------------------

// One identity reads Key Vault for App Service and, with UserAssignedMSI, is the bot's identity.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Purge protection can be turned on but never off, so "off" means leaving the property out.
    enablePurgeProtection: keyVaultPurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

resource secretsUserRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// MongoDB
// ---------------------------------------------------------------------------------------------

resource mongoCluster 'Microsoft.DocumentDB/mongoClusters@2024-07-01' = if (useCosmos) {
  name: mongoClusterName
  location: location
  tags: tags
  properties: {
    administrator: {
      userName: mongoAdminUserName
      password: mongoAdminPassword
    }
    serverVersion: '7.0'
    compute: {
      tier: mongoComputeTier
    }
    storage: {
      sizeGb: mongoStorageSizeGb
    }
    sharding: {
      shardCount: 1
    }
    highAvailability: {
      targetMode: mongoHighAvailability
    }
    publicNetworkAccess: 'Enabled'
  }
}

// App Service has no fixed outbound address without VNet integration; this rule admits traffic
// from Azure services only. Use a private endpoint to close the cluster further.
resource mongoFirewall 'Microsoft.DocumentDB/mongoClusters/firewallRules@2024-07-01' = if (useCosmos) {
  parent: mongoCluster
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

// ---------------------------------------------------------------------------------------------
// Key Vault secrets (App Service reads them through Key Vault references)
// ---------------------------------------------------------------------------------------------

resource kvMongoUri 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'MongoDbUri'
  properties: {
    // The cluster reports its connection string with <user> and <password> placeholders.
    value: useCosmos ? replace(replace(mongoCluster.properties.connectionString, '<user>', uriComponent(mongoAdminUserName)), '<password>', uriComponent(mongoAdminPassword)) : existingMongoConnectionString
  }
}

// Optional secrets exist only when given; their app settings are empty otherwise.
resource kvAppPassword 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (useAppPassword) {
  parent: keyVault
  name: 'MicrosoftAppPassword'
  properties: {
    value: microsoftAppPassword
  }
}

resource kvDirectLineSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(directLineSecret)) {
  parent: keyVault
  name: 'DirectLineSecret'
  properties: {
    value: directLineSecret
  }
}

resource kvDirectLineAzureSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(directLineAzureSecret)) {
  parent: keyVault
  name: 'DirectLineAzureSecret'
  properties: {
    value: directLineAzureSecret
  }
}

resource kvOrdersApiKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(ordersApiKey)) {
  parent: keyVault
  name: 'OrdersApiKey'
  properties: {
    value: ordersApiKey
  }
}

resource kvSlackBotToken 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(slackBotToken)) {
  parent: keyVault
  name: 'SlackBotToken'
  properties: {
    value: slackBotToken
  }
}

resource kvSlackSigningSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(slackSigningSecret)) {
  parent: keyVault
  name: 'SlackSigningSecret'
  properties: {
    value: slackSigningSecret
  }
}

resource kvTranscriptHashSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(transcriptUserIdHashSecret)) {
  parent: keyVault
  name: 'TranscriptUserIdHashSecret'
  properties: {
    value: transcriptUserIdHashSecret
  }
}

// ---------------------------------------------------------------------------------------------
// App Service
// ---------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: appServicePlanSku
    capacity: appServiceInstanceCount
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  tags: tags
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: linuxFxVersion
      appCommandLine: 'node --enable-source-maps dist/src/index.js'
      alwaysOn: true
      healthCheckPath: '/healthz'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      webSocketsEnabled: true
      appSettings: [
        {
          name: 'NODE_ENV'
          value: 'production'
        }
        {
          name: 'LOG_LEVEL'
          value: logLevel
        }
        {
          name: 'LOG_FORMAT'
          value: 'json'
        }
        {
          name: 'MicrosoftAppType'
          value: botAppType
        }
        {
          name: 'MicrosoftAppId'
          value: useMsi ? identity.properties.clientId : microsoftAppId
        }
        {
          name: 'MicrosoftAppPassword'
          value: useAppPassword ? '@Microsoft.KeyVault(SecretUri=${kvAppPassword.properties.secretUri})' : ''
        }
        {
          name: 'MicrosoftAppTenantId'
          value: appTenantId
        }
        {
          name: 'MONGODB_URI'
          value: '@Microsoft.KeyVault(SecretUri=${kvMongoUri.properties.secretUri})'
        }
        {
          name: 'MONGODB_DB'
          value: mongoDatabaseName
        }
        {
          // Cosmos DB vCore and Atlas accept TLS only; the bot refuses to connect without it.
          name: 'MONGODB_REQUIRE_TLS'
          value: 'true'
        }
        {
          name: 'TRANSCRIPT_RETENTION_DAYS'
          value: string(transcriptRetentionDays)
        }
        {
          name: 'TRANSCRIPT_USER_ID_HASH_SECRET'
          value: empty(transcriptUserIdHashSecret) ? '' : '@Microsoft.KeyVault(SecretUri=${kvTranscriptHashSecret.properties.secretUri})'
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        {
          // The site is public and Application Insights has the metrics; /metrics stays off.
          name: 'METRICS_ENABLED'
          value: 'false'
        }
        {
          name: 'DIRECTLINE_ENABLED'
          value: enableWebChat ? 'true' : 'false'
        }
        {
          name: 'DIRECTLINE_SECRET'
          value: empty(directLineSecret) ? '' : '@Microsoft.KeyVault(SecretUri=${kvDirectLineSecret.properties.secretUri})'
        }
        {
          name: 'DIRECTLINE_ENDPOINT'
          value: empty(directLineAzureSecret) ? '' : 'https://directline.botframework.com/v3/directline'
        }
        {
          name: 'DIRECTLINE_AZURE_SECRET'
          value: empty(directLineAzureSecret) ? '' : '@Microsoft.KeyVault(SecretUri=${kvDirectLineAzureSecret.properties.secretUri})'
        }
        {
          name: 'DIRECTLINE_PUBLIC_URL'
          value: 'https://${webAppName}.azurewebsites.net'
        }
        {
          // App Service's front ends are one proxy hop: the client address is their X-Forwarded-For entry.
          name: 'TRUST_PROXY_HOPS'
          value: '1'
        }
        {
          name: 'WEBCHAT_ALLOWED_ORIGINS'
          value: webChatAllowedOrigins
        }
        {
          name: 'SLACK_BOT_TOKEN'
          value: empty(slackBotToken) ? '' : '@Microsoft.KeyVault(SecretUri=${kvSlackBotToken.properties.secretUri})'
        }
        {
          name: 'SLACK_SIGNING_SECRET'
          value: empty(slackSigningSecret) ? '' : '@Microsoft.KeyVault(SecretUri=${kvSlackSigningSecret.properties.secretUri})'
        }
        {
          name: 'SLACK_HANDOFF_CHANNEL'
          value: slackHandoffChannel
        }
        {
          name: 'HANDOFF_BUSINESS_HOURS'
          value: handoffBusinessHours
        }
        {
          name: 'HANDOFF_TIME_ZONE'
          value: handoffTimeZone
        }
        {
          name: 'ORDERS_API_URL'
          value: ordersApiUrl
        }
        {
          name: 'ORDERS_API_KEY'
          value: empty(ordersApiKey) ? '' : '@Microsoft.KeyVault(SecretUri=${kvOrdersApiKey.properties.secretUri})'
        }
        {
          // The package is built before deployment (see README); App Service only runs it.
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'false'
        }
      ]
    }
  }
  dependsOn: [
    secretsUserRole
  ]
}

// Deployments authenticate with Entra ID (az webapp deploy), never with basic credentials.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: webApp
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: webApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

// ---------------------------------------------------------------------------------------------
// Azure Bot
// ---------------------------------------------------------------------------------------------

resource bot 'Microsoft.BotService/botServices@2022-09-15' = if (createBot) {
  name: botName
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: appName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppType: botAppType
    msaAppId: useMsi ? identity.properties.clientId : microsoftAppId
    msaAppTenantId: appTenantId
    msaAppMSIResourceId: useMsi ? identity.id : null
    publicNetworkAccess: 'Enabled'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = if (createBot && enableTeamsChannel) {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

resource directLineChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = if (createBot && enableDirectLineChannel) {
  parent: bot
  name: 'DirectLineChannel'
  location: 'global'
  properties: {
    channelName: 'DirectLineChannel'
    properties: {
      sites: [
        {
          siteName: 'Web Chat'
          isEnabled: true
          isV1Enabled: false
          isV3Enabled: true
          isSecureSiteEnabled: true
          trustedOrigins: [
            'https://${webApp.properties.defaultHostName}'
          ]
        }
      ]
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------

output webAppName string = webApp.name
output webAppUrl string = 'https://${webApp.properties.defaultHostName}'
output messagingEndpoint string = 'https://${webApp.properties.defaultHostName}/api/messages'
output botName string = createBot ? bot.name : ''
output keyVaultName string = keyVault.name
output managedIdentityClientId string = identity.properties.clientId
output appInsightsName string = appInsights.name
output mongoClusterName string = useCosmos ? mongoCluster.name : ''
