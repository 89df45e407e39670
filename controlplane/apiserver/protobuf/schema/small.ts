/**
 * The smaller groups: policy/v1, scheduling.k8s.io/v1, certificates.k8s.io/v1, authorization.k8s.io/v1,
 * authentication.k8s.io/v1, coordination.k8s.io/v1 and discovery.k8s.io/v1. Field syntax: see ../schema.ts.
 */
import type { PackageSchema } from '../schema.js';

export const policy: PackageSchema = {
  name: 'policy',
  messages: {
    PodDisruptionBudget: 'metadata=1:ObjectMeta spec=2:PodDisruptionBudgetSpec status=3:PodDisruptionBudgetStatus',
    PodDisruptionBudgetSpec: `minAvailable=1:IntOrString? selector=2:LabelSelector? maxUnavailable=3:IntOrString?
      unhealthyPodEvictionPolicy=4:s?`,
    PodDisruptionBudgetStatus: `observedGeneration=1:i64 disruptedPods=2:{Time} disruptionsAllowed=3:i32! currentHealthy=4:i32!
      desiredHealthy=5:i32! expectedPods=6:i32! conditions=7:[Condition]`,
    Eviction: 'metadata=1:ObjectMeta deleteOptions=2:DeleteOptions?',
  },
};

export const scheduling: PackageSchema = {
  name: 'scheduling',
  messages: {
    PriorityClass: 'metadata=1:ObjectMeta value=2:i32! globalDefault=3:b description=4:s preemptionPolicy=5:s?',
  },
};

export const certificates: PackageSchema = {
  name: 'certificates',
  messages: {
    CertificateSigningRequest: `metadata=1:ObjectMeta spec=2:CertificateSigningRequestSpec
      status=3:CertificateSigningRequestStatus`,
    CertificateSigningRequestSpec: `request=1:bytes! username=2:s uid=3:s groups=4:[s] usages=5:[s] extra=6:{StringList}
      signerName=7:s! expirationSeconds=8:i32?`,
    CertificateSigningRequestStatus: 'conditions=1:[CertificateSigningRequestCondition] certificate=2:bytes',
    CertificateSigningRequestCondition: `type=1:s! reason=2:s message=3:s lastUpdateTime=4:Time lastTransitionTime=5:Time
      status=6:s!`,
  },
};

export const authorization: PackageSchema = {
  name: 'authorization',
  messages: {
    SelfSubjectAccessReview: 'metadata=1:ObjectMeta spec=2:SelfSubjectAccessReviewSpec status=3:SubjectAccessReviewStatus',
    SelfSubjectAccessReviewSpec: 'resourceAttributes=1:ResourceAttributes? nonResourceAttributes=2:NonResourceAttributes?',
    SubjectAccessReview: 'metadata=1:ObjectMeta spec=2:SubjectAccessReviewSpec status=3:SubjectAccessReviewStatus',
    LocalSubjectAccessReview: 'metadata=1:ObjectMeta spec=2:SubjectAccessReviewSpec status=3:SubjectAccessReviewStatus',
    SubjectAccessReviewSpec: `resourceAttributes=1:ResourceAttributes? nonResourceAttributes=2:NonResourceAttributes?
      user=3:s groups=4:[s] extra=5:{StringList} uid=6:s`,
    ResourceAttributes: `namespace=1:s verb=2:s group=3:s version=4:s resource=5:s subresource=6:s name=7:s
      fieldSelector=8:FieldSelectorAttributes? labelSelector=9:LabelSelectorAttributes?`,
    FieldSelectorAttributes: 'rawSelector=1:s requirements=2:[FieldSelectorRequirement]',
    LabelSelectorAttributes: 'rawSelector=1:s requirements=2:[LabelSelectorRequirement]',
    NonResourceAttributes: 'path=1:s verb=2:s',
    SubjectAccessReviewStatus: 'allowed=1:b! reason=2:s evaluationError=3:s denied=4:b',
    SelfSubjectRulesReview: 'metadata=1:ObjectMeta spec=2:SelfSubjectRulesReviewSpec status=3:SubjectRulesReviewStatus',
    SelfSubjectRulesReviewSpec: 'namespace=1:s',
    SubjectRulesReviewStatus: `resourceRules=1:[ResourceRule]! nonResourceRules=2:[NonResourceRule]! incomplete=3:b!
      evaluationError=4:s`,
    ResourceRule: 'verbs=1:[s]! apiGroups=2:[s] resources=3:[s] resourceNames=4:[s]',
    NonResourceRule: 'verbs=1:[s]! nonResourceURLs=2:[s]',
  },
};

export const authentication: PackageSchema = {
  name: 'authentication',
  messages: {
    SelfSubjectReview: 'metadata=1:ObjectMeta status=2:SelfSubjectReviewStatus',
    SelfSubjectReviewStatus: 'userInfo=1:UserInfo',
    UserInfo: 'username=1:s uid=2:s groups=3:[s] extra=4:{StringList}',
    TokenRequest: 'metadata=1:ObjectMeta spec=2:TokenRequestSpec status=3:TokenRequestStatus',
    TokenRequestSpec: 'audiences=1:[s]! boundObjectRef=3:BoundObjectReference?! expirationSeconds=4:i64?!',
    BoundObjectReference: 'kind=1:s apiVersion=2:s name=3:s uid=4:s',
    TokenRequestStatus: 'token=1:s! expirationTimestamp=2:Time',
    TokenReview: 'metadata=1:ObjectMeta spec=2:TokenReviewSpec status=3:TokenReviewStatus',
    TokenReviewSpec: 'token=1:s audiences=2:[s]',
    TokenReviewStatus: 'authenticated=1:b user=2:UserInfo error=3:s audiences=4:[s]',
  },
};

export const coordination: PackageSchema = {
  name: 'coordination',
  messages: {
    Lease: 'metadata=1:ObjectMeta spec=2:LeaseSpec',
    LeaseSpec: `holderIdentity=1:s? leaseDurationSeconds=2:i32? acquireTime=3:MicroTime? renewTime=4:MicroTime?
      leaseTransitions=5:i32? strategy=6:s? preferredHolder=7:s?`,
  },
};

export const discovery: PackageSchema = {
  name: 'discovery',
  messages: {
    EndpointSlice: 'metadata=1:ObjectMeta endpoints=2:[Endpoint]! ports=3:[EndpointPort] addressType=4:s!',
    Endpoint: `addresses=1:[s]! conditions=2:EndpointConditions hostname=3:s? targetRef=4:ObjectReference?
      deprecatedTopology=5:{s} nodeName=6:s? zone=7:s? hints=8:EndpointHints?`,
    EndpointConditions: 'ready=1:b? serving=2:b? terminating=3:b?',
    EndpointHints: 'forZones=1:[ForZone] forNodes=2:[ForNode]',
    ForZone: 'name=1:s!',
    ForNode: 'name=1:s!',
    EndpointPort: 'name=1:s? protocol=2:s? port=3:i32? appProtocol=4:s?',
  },
};
