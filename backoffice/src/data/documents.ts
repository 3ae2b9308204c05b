/** GraphQL documents the generic data provider cannot derive: detail pages and actions. */

const REF = 'id name';
export const APPLICATION_DETAIL = `
  id number subject detail referenceNo version extra
  applicationDate acceptanceDate closedAt createdAt updatedAt archivedAt
  followUpCount timeSpentMinutes assigneeEveryone
  stage { id name color closed allowedNext { id name color closed } }
  priority { ${REF} color } category { ${REF} } subcategory { ${REF} } treeCategory { ${REF} }
  channel { ${REF} } branch { ${REF} } project { ${REF} } campaign { ${REF} }
  assigneeUser { ${REF} email } assigneeTeam { ${REF} } responsible { ${REF} } createdBy { ${REF} }
  reporter { id fullName phone email }
  subscription { id number name address startDate endDate active timeSpentMinutes }
  applicant {
    id name kind phones emails city district address taxNumber identityNumber
    applicationCount openApplicationCount openServiceRequestCount timeSpentMinutes
    openOpportunities { id title expectedAmount currency }
    region { ${REF} }
  }
  followUps { id text notedAt editedAt version author { ${REF} } }
  timeEntries { id date minutes note user { ${REF} } }
  documents { id item { id name fileName mimeType size downloadUrl createdAt } }
  tasks { id item { id title status dueAt assignee { ${REF} } } }
  serviceRequests { id item { id number subject stage { ${REF} } } }
  opportunities { id item { id title expectedAmount currency stage { ${REF} } } }
  contents { id item { id title } }
`;

export const APPLICATION_HISTORY = `query($id: ID!) { applicationHistory(id: $id) { id at field oldValue newValue refType refId actor { id name } } }`;
export const SIMILAR = `query($id: ID!) { similarApplications(id: $id, limit: 10) { similarity application { id number subject stage { name } applicationDate } } }`;

export const ADD_FOLLOW_UP = `mutation($id: ID!, $input: FollowUpInput!) { addFollowUp(applicationId: $id, input: $input) { id } }`;
export const ADD_TIME = `mutation($id: ID!, $input: TimeEntryInput!) { addTimeEntry(applicationId: $id, input: $input) { id } }`;
export const CHANGE_STAGE = `mutation($id: ID!, $stageId: ID!, $version: Int!, $note: String) { changeApplicationStage(id: $id, stageId: $stageId, version: $version, note: $note) { id version } }`;
export const ASSIGN = `mutation($id: ID!, $input: AssigneeInput!, $version: Int!) { assignApplication(id: $id, input: $input, version: $version) { id version } }`;
export const TO_SERVICE_REQUEST = `mutation($id: ID!, $key: String, $input: ServiceRequestFromApplicationInput) { convertApplicationToServiceRequest(applicationId: $id, idempotencyKey: $key, input: $input) { id number } }`;
export const TO_OPPORTUNITY = `mutation($id: ID!, $key: String, $input: OpportunityFromApplicationInput!) { convertApplicationToOpportunity(applicationId: $id, idempotencyKey: $key, input: $input) { id title } }`;
export const LINK_DOCUMENT = `mutation($id: ID!, $documentId: ID!) { linkDocumentToApplication(applicationId: $id, documentId: $documentId) { id } }`;
export const ADD_TASK = `mutation($id: ID!, $key: String, $input: CreateTaskInput!) { addApplicationTask(applicationId: $id, idempotencyKey: $key, input: $input) { id } }`;
